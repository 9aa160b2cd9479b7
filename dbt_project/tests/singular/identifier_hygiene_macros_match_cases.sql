{#- Fails for every case of the identifier-hygiene table (seeds/identifier_hygiene_cases.csv)
    that the macros clean differently from the expected value. The Python twin
    (cdp/core/identifier_hygiene.py) is checked against the same table by
    tests/unit/test_identifier_hygiene.py, so the two definitions cannot drift apart. -#}

{#- The asset check Dagster shows on identifier_hygiene_cases (dagster-dbt reads meta.dagster.ref). -#}
{{ config(meta={'dagster': {'ref': {'name': 'identifier_hygiene_cases'}}}) }}

with

cases as (

    select * from {{ ref('identifier_hygiene_cases') }}

),

cleaned as (

    select
        source_record_id,
        identifier_type,
        raw_value,
        expected_value,
        case identifier_type
            when 'email' then {{ cdp.normalise_email('raw_value') }}
            when 'phone' then {{ cdp.phone_lookup_key('raw_value') }}
        end as cleaned_value
    from cases

)

select * from cleaned
where coalesce(cleaned_value, '') <> coalesce(expected_value, '')
