{#- One node per distinct valid identifier. Node ids are numbered in order of first sighting,
    so the component's smallest node id is its oldest identifier: the person id survives when
    newer data joins it, and a merge keeps the older person's id. -#}

with

refused as (

    select node_key from {{ ref('int_identity_refused_identifiers') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_normalised') }}
    where is_valid
        and node_key not in (select node_key from refused)

),

nodes as (

    select
        node_key,
        identifier_type,
        identifier_value,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(*) as observation_count
    from identifiers
    group by node_key, identifier_type, identifier_value

),

final as (

    select
        row_number() over (order by first_seen_at asc nulls last, node_key asc) as node_id,
        node_key,
        identifier_type,
        identifier_value,
        first_seen_at,
        last_seen_at,
        observation_count
    from nodes

)

select * from final
