{{ config(materialized='connected_components', max_rounds=40) }}

{#- People as they are without weak identifiers (var identity_weak_types, e.g. browser ids):
    the reference against which a weak identifier that joins two people is detected. -#}

{%- set weak_types = var('identity_weak_types') -%}

with

strong_nodes as (

    select node_id from {{ ref('int_identity_nodes') }}
    where identifier_type not in ({{ "'" ~ (weak_types | join("', '")) ~ "'" }})

),

edges as (

    select node_id_a, node_id_b from {{ ref('int_identity_edges') }}
    where node_id_a in (select node_id from strong_nodes)
        and node_id_b in (select node_id from strong_nodes)

),

graph as (

    select node_id as node_id_a, node_id as node_id_b from strong_nodes
    union all
    select node_id_a, node_id_b from edges

)

select * from graph
