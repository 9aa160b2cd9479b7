{#- Links between identifiers seen on the same source record (refused identifiers are not
    nodes, so they link nothing; records matching a never_link pair rule link nothing). A record
    with k identifiers contributes k - 1 edges (a star), which connects them all with the fewest
    rows. The star's centre is the record's smallest *strong* node: weak identifiers (browser
    ids, identifiers whose records name different people) are leaves, so refusing one later
    (int_identity_weak_refusals) never cuts the record's other identifiers apart. -#}

{%- set weak_types = var('identity_weak_types') -%}

with

never_link_pairs as (

    select * from {{ ref('identity_never_link') }}
    where other_identifier_type is not null and other_identifier_type <> ''

),

-- The observations are read directly where needed: a CTE used twice is materialised whole.
records_with_forbidden_pairs as (

    -- A record carrying both identifiers of a never_link pair links nothing.
    select distinct
        this_side.source_table,
        this_side.source_record_id
    from {{ ref('int_identifiers_normalised') }} as this_side
    inner join never_link_pairs
        on this_side.identifier_type = never_link_pairs.identifier_type
        and this_side.identifier_value = never_link_pairs.identifier_value
    inner join {{ ref('int_identifiers_normalised') }} as other_side
        on this_side.source_table = other_side.source_table
        and this_side.source_record_id = other_side.source_record_id
        and never_link_pairs.other_identifier_type = other_side.identifier_type
        and never_link_pairs.other_identifier_value = other_side.identifier_value

),

name_conflicts as (

    select identifier_type, identifier_value from {{ ref('int_identity_name_conflicts') }}

),

nodes as (

    select
        nodes.node_id,
        nodes.identifier_type,
        nodes.identifier_value,
        nodes.identifier_type in ({{ "'" ~ (weak_types | join("', '")) ~ "'" }})
            or name_conflicts.identifier_value is not null as is_weak
    from {{ ref('int_identity_nodes') }} as nodes
    left join name_conflicts
        on nodes.identifier_type = name_conflicts.identifier_type
        and nodes.identifier_value = name_conflicts.identifier_value

),

record_nodes as (

    -- Refused and invalid identifiers are not nodes: the inner join leaves them out.
    select
        observations.source_table,
        observations.source_record_id,
        nodes.node_id,
        nodes.is_weak
    from {{ ref('int_identifiers_normalised') }} as observations
    inner join nodes
        on observations.identifier_type = nodes.identifier_type
        and observations.identifier_value = nodes.identifier_value
    left join records_with_forbidden_pairs as forbidden
        on observations.source_table = forbidden.source_table
        and observations.source_record_id = forbidden.source_record_id
    where forbidden.source_record_id is null

),

anchored as (

    select
        source_table,
        source_record_id,
        node_id,
        coalesce(
            min(case when not is_weak then node_id end) over (partition by source_table, source_record_id),
            min(node_id) over (partition by source_table, source_record_id)
        ) as anchor_node_id
    from record_nodes

),

final as (

    -- Only the links, as integers: the records behind a link are found again from
    -- int_identifiers_normalised when someone asks (cdp explain, int_identity_events), which
    -- is far cheaper than carrying record ids on millions of edges.
    -- The smaller node first, whichever is the centre of the star.
    select distinct
        case when anchor_node_id < node_id then anchor_node_id else node_id end as node_id_a,
        case when anchor_node_id < node_id then node_id else anchor_node_id end as node_id_b
    from anchored
    where node_id <> anchor_node_id

)

select * from final
