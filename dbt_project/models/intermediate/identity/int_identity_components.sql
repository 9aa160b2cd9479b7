{{ config(materialized='table') }}

{#- One row per identifier node with the connected component (= person) it belongs to. -#}

with

nodes as (

    select * from {{ ref('int_identity_nodes') }}

),

linked as (

    {{ cdp.connected_components(ref('int_identity_edges'), var('identity_rounds', 12)) }}

),

final as (

    select
        nodes.node_id,
        nodes.node_key,
        nodes.identifier_type,
        nodes.identifier_value,
        nodes.first_seen_at,
        nodes.last_seen_at,
        coalesce(linked.component_id, nodes.node_id) as component_id
    from nodes
    left join linked
        on nodes.node_id = linked.node_id

)

select * from final
