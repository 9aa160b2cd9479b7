{#- Person-like records for probabilistic matching (cdp/matching/, docs/identity.md,
    "Probabilistic matching"): Shopify and Square customers, Mailchimp members and Shopify
    orders' billing details, one row per record with the fields Splink compares, cleaned the
    same way on every record. Each record is tied to the graph by its anchor: its most trusted
    valid identifier that no guard refused (`identity_type_priority`), which a probabilistic link joins to the other
    record's anchor. Orders repeat their customer's details, so orders with the same anchor and
    the same details are one record here. Records without a name or an anchor are left out:
    nothing could be linked to them. -#}

{%- set priority = var('identity_type_priority') -%}

with

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

square_customers as (

    select * from {{ ref('stg_square__customers') }}

),

mailchimp_members as (

    select * from {{ ref('stg_mailchimp__members') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

refused as (

    select identifier_type, identifier_value from {{ ref('int_identity_refused_identifiers') }}

),

identifiers as (

    -- Valid identifiers that no guard refused: a shop counter's phone says nothing of a person.
    select
        observations.source_table,
        observations.source_record_id,
        observations.identifier_type,
        observations.identifier_value
    from {{ ref('int_identifiers_normalised') }} as observations
    left join refused
        on observations.identifier_type = refused.identifier_type
        and observations.identifier_value = refused.identifier_value
    where observations.is_valid
        and refused.identifier_type is null
        and observations.source_table in (
            'shopify_customers', 'square_customers', 'mailchimp_members', 'shopify_orders'
        )

),

person_fields as (

    select
        'shopify_customers' as source_table,
        source_record_id,
        first_name,
        last_name,
        address_line_1,
        address_city,
        address_postal_code,
        cast(null as {{ dbt.type_string() }}) as birthday
    from shopify_customers
    union all
    select
        'square_customers' as source_table,
        source_record_id,
        first_name,
        last_name,
        address_line_1,
        address_city,
        address_postal_code,
        birthday
    from square_customers
    union all
    select
        'mailchimp_members' as source_table,
        source_record_id,
        first_name,
        last_name,
        address_line_1,
        address_city,
        address_postal_code,
        birthday
    from mailchimp_members
    union all
    select
        'shopify_orders' as source_table,
        source_record_id,
        coalesce(billing_first_name, customer_first_name) as first_name,
        coalesce(billing_last_name, customer_last_name) as last_name,
        billing_address_line_1 as address_line_1,
        billing_city as address_city,
        billing_postal_code as address_postal_code,
        cast(null as {{ dbt.type_string() }}) as birthday
    from shopify_orders

),

ranked_identifiers as (

    select
        source_table,
        source_record_id,
        identifier_type,
        identifier_value,
        row_number() over (
            partition by source_table, source_record_id
            order by
                case identifier_type
                    {%- for identifier_type in priority %}
                    when '{{ identifier_type }}' then {{ loop.index }}
                    {%- endfor %}
                    else {{ priority | length + 1 }}
                end,
                identifier_value
        ) as priority_rank
    from identifiers

),

record_identifiers as (

    select
        source_table,
        source_record_id,
        max(case when priority_rank = 1 then identifier_type end) as anchor_type,
        max(case when priority_rank = 1 then identifier_value end) as anchor_value,
        min(case when identifier_type = 'email' then identifier_value end) as email,
        min(case when identifier_type = 'phone' then identifier_value end) as phone
    from ranked_identifiers
    group by source_table, source_record_id

),

cleaned as (

    select
        person_fields.source_table,
        person_fields.source_record_id,
        record_identifiers.anchor_type,
        record_identifiers.anchor_value,
        nullif({{ cdp.name_letters('person_fields.first_name') }}, '') as first_name,
        nullif({{ cdp.name_letters('person_fields.last_name') }}, '') as last_name,
        nullif(trim({{ cdp.regex_replace_all('lower(person_fields.address_line_1)', "'[^0-9\\p{L}]+'", "' '") }}), '')
            as street,
        nullif(trim(lower(person_fields.address_city)), '') as city,
        nullif({{ cdp.regex_replace_all('lower(person_fields.address_postal_code)', "'[^0-9a-z]'", "''") }}, '')
            as postcode,
        {{ cdp.birth_date_iso('person_fields.birthday') }} as birth_date,
        {{ cdp.birth_month_day('person_fields.birthday') }} as birth_month_day,
        record_identifiers.email,
        record_identifiers.phone
    from person_fields
    inner join record_identifiers
        on person_fields.source_table = record_identifiers.source_table
        and person_fields.source_record_id = record_identifiers.source_record_id

),

with_parts as (

    select
        *,
        case when {{ cdp.matches_regex('street', "'^[0-9]+'") }}
            then {{ cdp.regex_replace_all('street', "'^([0-9]+).*$'", "'\\1'") }}
        end as street_number,
        nullif(trim({{ cdp.regex_replace_all('street', "'^[0-9]+[a-z]? *'", "''") }}), '') as street_name,
        {{ dbt.split_part('email', "'@'", 1) }} as email_local,
        {{ dbt.right('phone', 7) }} as phone_last7
    from cleaned
    where (first_name is not null or last_name is not null)

),

final as (

    -- One record per distinct set of details: an order repeating its customer's is one record.
    select
        {{ dbt.concat(['source_table', "':'", 'min(source_record_id)']) }} as record_key,
        source_table,
        min(source_record_id) as source_record_id,
        count(*) as source_records,
        anchor_type,
        anchor_value,
        first_name,
        last_name,
        street,
        street_number,
        street_name,
        city,
        postcode,
        birth_date,
        birth_month_day,
        email,
        email_local,
        phone,
        phone_last7
    from with_parts
    group by
        source_table, anchor_type, anchor_value, first_name, last_name, street, street_number,
        street_name, city, postcode, birth_date, birth_month_day, email, email_local, phone,
        phone_last7

)

select * from final
