{#- Every identifier that was kept from linking records, with the guard and its reason: the
    first place to look when two people should (or should not) be one. -#}

with

observations as (

    select * from {{ ref('int_identifiers_normalised') }}

),

guard_refusals as (

    select identifier_type, identifier_value, reason, details
    from {{ ref('int_identity_refused_identifiers') }}
    union all
    select identifier_type, identifier_value, reason, details
    from {{ ref('int_identity_weak_refusals') }}
    union all
    select identifier_type, identifier_value, reason, details
    from {{ ref('int_identity_limit_refusals') }}

),

invalid as (

    -- Values that are not identifiers at all (empty, implausible, blocklisted).
    select
        identifier_type,
        coalesce(identifier_value, raw_value) as identifier_value,
        case when invalid_reason like 'blocklisted%' then 'blocklisted' else 'invalid' end as reason,
        min(invalid_reason) as details
    from observations
    where not is_valid
        and invalid_reason <> 'empty'
    group by 1, 2, 3

),

refusals as (

    select * from guard_refusals
    union all
    select * from invalid

),

refused_values as (

    select distinct identifier_type, identifier_value from refusals

),

records as (

    -- Counted for the refused values only (a handful), not for every observation.
    select
        observations.identifier_type,
        coalesce(observations.identifier_value, observations.raw_value) as identifier_value,
        count(*) as records,
        min({{ dbt.concat(['observations.source_table', "' '", 'observations.source_record_id']) }}) as example_record
    from observations
    inner join refused_values
        on observations.identifier_type = refused_values.identifier_type
        and coalesce(observations.identifier_value, observations.raw_value) = refused_values.identifier_value
    group by 1, 2

),

final as (

    select
        refusals.identifier_type,
        refusals.identifier_value,
        refusals.reason,
        refusals.details,
        coalesce(records.records, 0) as records,
        records.example_record
    from refusals
    left join records
        on refusals.identifier_type = records.identifier_type
        and refusals.identifier_value = records.identifier_value

)

select * from final
