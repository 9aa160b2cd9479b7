{#- Each identifier with its person. The person id is derived from the component's oldest
    identifier, so it is the same on every engine and every rebuild of the same data. -#}

with

components as (

    select * from {{ ref('int_identity_components') }}

),

roots as (

    select
        node_id as component_id,
        node_key as root_node_key
    from components
    where node_id = component_id

),

final as (

    select
        components.identifier_type,
        components.identifier_value,
        components.node_key,
        'p_' || substring({{ dbt.hash('roots.root_node_key') }}, 1, 16) as person_id,
        components.first_seen_at,
        components.last_seen_at
    from components
    inner join roots
        on components.component_id = roots.component_id

)

select * from final
