{{ config(materialized='view') }}

{#- Every identifier that belongs to a person after all guards, with its final component:
    recomputed where a per-person limit was hit, else the first pass. A view: read once, by
    int_person_id_assignments. -#}

with

nodes as (

    select * from {{ ref('int_identity_nodes') }}

),

first_pass as (

    select node_id, component_id from {{ ref('int_identity_components') }}

),

recomputed as (

    select node_id, component_id from {{ ref('int_identity_recomponents') }}

),

limit_refusals as (

    select node_id from {{ ref('int_identity_limit_refusals') }}

),

final as (

    select
        nodes.node_id,
        {{ cdp.identifier_key('nodes.identifier_type', 'nodes.identifier_value') }} as node_key,
        nodes.identifier_type,
        nodes.identifier_value,
        nodes.first_seen_at,
        nodes.last_seen_at,
        coalesce(recomputed.component_id, first_pass.component_id) as component_id
    from nodes
    inner join first_pass
        on nodes.node_id = first_pass.node_id
    left join recomputed
        on nodes.node_id = recomputed.node_id
    where nodes.node_id not in (select node_id from limit_refusals)

)

select * from final
