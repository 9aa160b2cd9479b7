{{ config(materialized='connected_components', max_rounds=40) }}

{#- One row per identifier node with its connected component (= person): the smallest node id
    in the component, i.e. its oldest identifier. The algorithm is in
    macros/identity/connected_components.sql; this SQL only hands it the graph. -#}

with

weak_refusals as (

    select node_id from {{ ref('int_identity_weak_refusals') }}

),

nodes as (

    select node_id from {{ ref('int_identity_nodes') }}
    where node_id not in (select node_id from weak_refusals)

),

edges as (

    select node_id_a, node_id_b from {{ ref('int_identity_edges') }}
    where node_id_a not in (select node_id from weak_refusals)
        and node_id_b not in (select node_id from weak_refusals)

),

graph as (

    -- Every node as a self-loop, so identifiers without links still get a component.
    select node_id as node_id_a, node_id as node_id_b from nodes
    union all
    select node_id_a, node_id_b from edges

)

select * from graph
