{{ config(materialized='connected_components', max_rounds=40) }}

{#- The people that probabilistic links join: connected components over the deterministic
    people (int_identity_resolved_nodes' component ids) that a `link` of
    int_identity_probabilistic_links touches. The joined person's id is the smallest
    deterministic component id, i.e. still its oldest identifier. People no link touches are
    not in this graph and stay as they are. -#}

with

links as (

    select component_id_l, component_id_r
    from {{ ref('int_identity_probabilistic_links') }}
    where decision = 'link'

),

graph as (

    select component_id_l as node_id_a, component_id_r as node_id_b from links
    union all
    -- Self-loops keep every touched person in the result, whatever the direction of its links.
    select component_id_l as node_id_a, component_id_l as node_id_b from links
    union all
    select component_id_r as node_id_a, component_id_r as node_id_b from links

)

select * from graph
