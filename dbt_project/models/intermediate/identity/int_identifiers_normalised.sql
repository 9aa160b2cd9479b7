{#- Every identifier observation in its normalised form, with validity and why an invalid one
    is left out of the graph. (identifier_type, identifier_value) is the identifier: types
    namespace values, so Shopify customer 123 and Square customer 123 never collide. -#}

{#- Types whose records' first names the guards read: name-checked ones, and the ones the
    shared-identifier guard counts people for. -#}
{%- set named_types = [] -%}
{%- for identifier_type in var('identity_name_checked_types') + (var('identity_shared_identifier_limits').keys() | list) -%}
    {%- if identifier_type not in named_types -%}{%- do named_types.append(identifier_type) -%}{%- endif -%}
{%- endfor %}

with

observations as (

    select * from {{ ref('int_identifier_observations') }}

),

phone_numbers as (

    select * from {{ ref('stg_reference__phone_numbers') }}

),

blocklist as (

    select * from {{ ref('identity_blocklist') }}

),

normalised as (

    select
        observations.source_table,
        observations.source_record_id,
        observations.identifier_type,
        observations.raw_value,
        observations.observed_at,
        observations.record_first_name,
        observations.record_last_name,
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

distinct_values as (

    select distinct identifier_type, identifier_value from normalised

),

blocked as (

    -- Matched once per distinct value, not per observation.
    select
        distinct_values.identifier_type,
        distinct_values.identifier_value,
        min(blocklist.reason) as blocked_reason
    from distinct_values
    inner join blocklist
        on distinct_values.identifier_type like blocklist.identifier_type
        and distinct_values.identifier_value like blocklist.value_pattern
    group by distinct_values.identifier_type, distinct_values.identifier_value

),

validated as (

    select
        normalised.*,
        case
            when normalised.identifier_value is null or normalised.identifier_value = ''
                then 'empty'
            when normalised.identifier_type = 'email'
                and not {{ cdp.is_plausible_email('normalised.identifier_value') }}
                then 'implausible email'
            when normalised.identifier_type = 'phone' and not coalesce(normalised.is_valid_phone, false)
                then 'invalid phone number'
            when blocked.blocked_reason is not null
                then {{ dbt.concat(["'blocklisted: '", 'blocked.blocked_reason']) }}
        end as invalid_reason
    from normalised
    left join blocked
        on normalised.identifier_type = blocked.identifier_type
        and normalised.identifier_value = blocked.identifier_value

),

final as (

    -- Narrow on purpose (26 observations per person at scale, and writing wide text columns
    -- is most of the cost): no node key (identifier_type + identifier_value is the key), the
    -- raw text only where it could not be normalised, the names only for the identifier
    -- types whose records are name-checked or counted by the shared-identifier guard.
    select
        source_table,
        source_record_id,
        identifier_type,
        identifier_value,
        case when invalid_reason is not null then raw_value end as raw_value,
        observed_at,
        case when identifier_type in ({{ "'" ~ (named_types | join("', '")) ~ "'" }})
            then record_first_name
        end as record_first_name,
        case when identifier_type in ({{ "'" ~ (var('identity_name_checked_types') | join("', '")) ~ "'" }})
            then record_last_name
        end as record_last_name,
        invalid_reason is null as is_valid,
        invalid_reason
    from validated

)

select * from final
