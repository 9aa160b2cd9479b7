{#- Links between identifiers seen on the same source record. A record with k identifiers
    contributes k - 1 edges (a star on its smallest node), which connects them all with the
    fewest rows; the record it came from is kept to explain every link. -#}

with

identifiers as (

    select * from {{ ref('int_identifiers_normalised') }}
    where is_valid

),

nodes as (

    select node_id, node_key from {{ ref('int_identity_nodes') }}

),

record_nodes as (

    select distinct
        identifiers.source_table,
        identifiers.source_record_id,
        nodes.node_id
    from identifiers
    inner join nodes
        on identifiers.node_key = nodes.node_key

),

anchored as (

    select
        source_table,
        source_record_id,
        node_id,
        min(node_id) over (partition by source_table, source_record_id) as anchor_node_id
    from record_nodes

),

record_edges as (

    select
        anchor_node_id as node_id_a,
        node_id as node_id_b,
        source_table,
        source_record_id
    from anchored
    where node_id <> anchor_node_id

),

final as (

    select
        node_id_a,
        node_id_b,
        min(source_table) as first_source_table,
        min(source_record_id) as first_source_record_id,
        count(*) as record_count
    from record_edges
    group by node_id_a, node_id_b

)

select * from final
