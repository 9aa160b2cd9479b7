{#- Fails if the components are wrong: every identity link must join two identifiers of the
    same person (a guard against a connected-components bug or an unconverged graph). -#}

{#- The asset check Dagster shows on int_identity_components (dagster-dbt reads meta.dagster.ref). -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_identity_components'}}}) }}

with

edges as (

    select * from {{ ref('int_identity_edges') }}

),

components as (

    select node_id, component_id from {{ ref('int_identity_components') }}

)

select
    edges.node_id_a,
    edges.node_id_b,
    side_a.component_id as component_a,
    side_b.component_id as component_b
from edges
inner join components as side_a
    on edges.node_id_a = side_a.node_id
inner join components as side_b
    on edges.node_id_b = side_b.node_id
where side_a.component_id <> side_b.component_id
