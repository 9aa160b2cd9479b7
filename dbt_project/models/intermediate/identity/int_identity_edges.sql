{#- Links between identifiers seen on the same source record (refused identifiers are not
    nodes, so they link nothing; records matching a never_link pair rule link nothing). A record with k identifiers
    contributes k - 1 edges (a star on its smallest node), which connects them all with the
    fewest rows; the record it came from is kept to explain every link. -#}

with

identifiers as (

    select * from {{ ref('int_identifiers_normalised') }}
    where is_valid

),

never_link_pairs as (

    select * from {{ ref('identity_never_link') }}
    where other_identifier_type is not null and other_identifier_type <> ''

),

records_with_forbidden_pairs as (

    -- A record carrying both identifiers of a never_link pair links nothing.
    select distinct
        this_side.source_table,
        this_side.source_record_id
    from identifiers as this_side
    inner join never_link_pairs
        on this_side.identifier_type = never_link_pairs.identifier_type
        and this_side.identifier_value = never_link_pairs.identifier_value
    inner join identifiers as other_side
        on this_side.source_table = other_side.source_table
        and this_side.source_record_id = other_side.source_record_id
        and other_side.identifier_type = never_link_pairs.other_identifier_type
        and other_side.identifier_value = never_link_pairs.other_identifier_value

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
    left join records_with_forbidden_pairs as forbidden
        on identifiers.source_table = forbidden.source_table
        and identifiers.source_record_id = forbidden.source_record_id
    where forbidden.source_record_id is null

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
