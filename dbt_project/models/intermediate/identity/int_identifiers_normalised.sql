{#- Every identifier observation in its normalised, namespaced form, with validity and why
    an invalid one is left out of the graph. -#}

with

observations as (

    select * from {{ ref('int_identifier_observations') }}

),

phone_numbers as (

    select * from {{ ref('stg_reference__phone_numbers') }}

),

normalised as (

    select
        observations.source_table,
        observations.source_record_id,
        observations.identifier_type,
        observations.raw_value,
        observations.observed_at,
        case
            when observations.identifier_type = 'email'
                then {{ cdp.normalise_email('observations.raw_value') }}
            when observations.identifier_type = 'phone'
                then phone_numbers.phone_e164
            else trim(observations.raw_value)
        end as identifier_value,
        phone_numbers.is_valid as is_valid_phone
    from observations
    left join phone_numbers
        on observations.identifier_type = 'phone'
        and {{ cdp.phone_lookup_key('observations.raw_value') }} = phone_numbers.raw_phone

),

validated as (

    select
        *,
        case
            when identifier_value is null or identifier_value = ''
                then 'empty'
            when identifier_type = 'email' and not {{ cdp.is_plausible_email('identifier_value') }}
                then 'implausible email'
            when identifier_type = 'phone' and not coalesce(is_valid_phone, false)
                then 'invalid phone number'
        end as invalid_reason
    from normalised

),

final as (

    select
        source_table,
        source_record_id,
        identifier_type,
        raw_value,
        identifier_value,
        identifier_type || ':' || identifier_value as node_key,
        observed_at,
        invalid_reason is null as is_valid,
        invalid_reason
    from validated

)

select * from final
