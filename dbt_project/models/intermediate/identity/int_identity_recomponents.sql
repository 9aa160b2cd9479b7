{{ config(materialized='connected_components', max_rounds=40) }}

{#- People that broke a per-person limit, recomputed without the refused linking identifiers
    (int_identity_limit_refusals). Only those people's subgraph is recomputed. -#}

with

refused as (

    select component_id, node_id from {{ ref('int_identity_limit_refusals') }}

),

affected_nodes as (

    select components.node_id
    from {{ ref('int_identity_components') }} as components
    where components.component_id in (select component_id from refused)
        and components.node_id not in (select node_id from refused)

),

edges as (

    select node_id_a, node_id_b from {{ ref('int_identity_edges') }}
    where node_id_a in (select node_id from affected_nodes)
        and node_id_b in (select node_id from affected_nodes)

),

graph as (

    select node_id as node_id_a, node_id as node_id_b from affected_nodes
    union all
    select node_id_a, node_id_b from edges

)

select * from graph
