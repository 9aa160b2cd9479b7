{{ config(materialized='connected_components', max_rounds=40) }}

{#- People as they are without weak identifiers (var identity_weak_types, e.g. browser ids, and
    the identifiers whose records name different people, int_identity_name_conflicts): the
    reference against which a weak identifier that joins two people is detected. -#}

{%- set weak_types = var('identity_weak_types') -%}

with

name_conflicts as (

    select identifier_type, identifier_value from {{ ref('int_identity_name_conflicts') }}

),

strong_nodes as (

    select nodes.node_id
    from {{ ref('int_identity_nodes') }} as nodes
    left join name_conflicts
        on nodes.identifier_type = name_conflicts.identifier_type
        and nodes.identifier_value = name_conflicts.identifier_value
    where nodes.identifier_type not in ({{ "'" ~ (weak_types | join("', '")) ~ "'" }})
        and name_conflicts.identifier_value is null

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
