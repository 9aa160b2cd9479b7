{#- Each identifier with its person. The person id is derived from the component's oldest
    identifier, so it is the same on every engine and every rebuild of the same data. -#}

with

nodes as (

    select * from {{ ref('int_identity_nodes') }}

),

limit_refusals as (

    select node_id from {{ ref('int_identity_limit_refusals') }}

),

components as (

    -- Final components: recomputed where a per-person limit was hit, else the first pass.
    select
        first_pass.node_id,
        coalesce(recomputed.component_id, first_pass.component_id) as component_id
    from {{ ref('int_identity_components') }} as first_pass
    left join {{ ref('int_identity_recomponents') }} as recomputed
        on first_pass.node_id = recomputed.node_id
    where first_pass.node_id not in (select node_id from limit_refusals)

),

roots as (

    select
        components.component_id,
        nodes.node_key as root_node_key
    from components
    inner join nodes
        on components.component_id = nodes.node_id
    where components.node_id = components.component_id

),

final as (

    select
        nodes.identifier_type,
        nodes.identifier_value,
        nodes.node_key,
        'p_' || substring({{ dbt.hash('roots.root_node_key') }}, 1, 16) as person_id,
        nodes.first_seen_at,
        nodes.last_seen_at
    from nodes
    inner join components
        on nodes.node_id = components.node_id
    inner join roots
        on components.component_id = roots.component_id

)

select * from final
