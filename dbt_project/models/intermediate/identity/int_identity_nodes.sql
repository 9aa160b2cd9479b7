{#- One node per distinct valid identifier. Node ids are numbered in order of first sighting,
    so the component's smallest node id is its oldest identifier: the person id survives when
    newer data joins it, and a merge keeps the older person's id. No `<type>:<value>` key
    column: (identifier_type, identifier_value) is the key, and text is what costs to write. -#}

with

refused as (

    select identifier_type, identifier_value from {{ ref('int_identity_refused_identifiers') }}

),

identifiers as (

    select
        observations.identifier_type,
        observations.identifier_value,
        observations.observed_at
    from {{ ref('int_identifiers_normalised') }} as observations
    left join refused
        on observations.identifier_type = refused.identifier_type
        and observations.identifier_value = refused.identifier_value
    where observations.is_valid
        and refused.identifier_value is null

),

nodes as (

    select
        identifier_type,
        identifier_value,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(*) as observation_count
    from identifiers
    group by identifier_type, identifier_value

),

final as (

    select
        row_number() over (
            order by first_seen_at asc nulls last, identifier_type asc, identifier_value asc
        ) as node_id,
        identifier_type,
        identifier_value,
        first_seen_at,
        last_seen_at,
        observation_count
    from nodes

)

select * from final
