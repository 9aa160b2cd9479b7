{#- Every identifier seen on a source record that can tie identifiers together, as raw text,
    with the first and last name written on that record (used by the name-conflict guard). A
    tracker's storefront event carries its logged-in user id (`tracker_user_id`), the email /
    phone traits it sent, and the user id again as an email when the tracker uses emails as
    user ids: the anonymous → known links of a Segment-spec tracker.
    Records carrying a single identifier (an email open, a store sale with only a customer id)
    are not needed here: they find their person through `int_person_identifiers`. -#}

with

mailchimp_members as (

    select * from {{ ref('stg_mailchimp__members') }}

),

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

web_events as (

    select * from {{ ref('stg_shopify__web_events') }}

),

square_customers as (

    select * from {{ ref('stg_square__customers') }}

),

observations as (

    {%- set record_sets = [
        ('mailchimp_members', 'mailchimp_members', 'last_changed_at', 'first_name', 'last_name', [
            ('email', 'email'),
            ('phone', 'phone'),
            ('mailchimp_subscriber_id', 'mailchimp_subscriber_id'),
        ]),
        ('shopify_customers', 'shopify_customers', 'cast(null as ' ~ dbt.type_timestamp() ~ ')', 'first_name', 'last_name', [
            ('shopify_customer_id', 'customer_id'),
            ('email', 'email'),
            ('phone', 'phone'),
        ]),
        ('shopify_orders', 'shopify_orders', 'created_at', 'coalesce(customer_first_name, billing_first_name)', 'coalesce(customer_last_name, billing_last_name)', [
            ('shopify_customer_id', 'customer_id'),
            ('email', 'email'),
            ('email', 'customer_email'),
            ('phone', 'phone'),
            ('phone', 'customer_phone'),
        ]),
        ('shopify_web_events', 'web_events', 'event_at', 'cast(null as ' ~ dbt.type_string() ~ ')', 'cast(null as ' ~ dbt.type_string() ~ ')', [
            ('anonymous_id', 'anonymous_id'),
            ('shopify_customer_id', 'customer_id'),
            ('mailchimp_subscriber_id', 'mailchimp_subscriber_id'),
            ('email', 'checkout_email'),
            ('phone', 'checkout_phone'),
            ('tracker_user_id', 'tracker_user_id'),
            ('email', 'traits_email'),
            ('phone', 'traits_phone'),
            ('email', "case when tracker_user_id like '%_@_%._%' and tracker_user_id <> coalesce(traits_email, '') then tracker_user_id end"),
        ]),
        ('square_customers', 'square_customers', 'cast(first_visit_date as ' ~ dbt.type_timestamp() ~ ')', 'first_name', 'last_name', [
            ('square_customer_id', 'square_customer_id'),
            ('email', 'email'),
            ('phone', 'phone'),
        ]),
    ] -%}
    {%- for source_table, relation, observed_at, first_name, last_name, identifiers in record_sets %}
    {%- set outer_loop = loop %}
    {%- for identifier_type, column in identifiers %}
    select
        '{{ source_table }}' as source_table,
        source_record_id,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as raw_value,
        {{ observed_at }} as observed_at,
        -- The name on the record: links through shared phones and devices must agree on it
        -- (the last name tells a given name and a family name written the other way round).
        lower(trim({{ first_name }})) as record_first_name,
        lower(trim({{ last_name }})) as record_last_name
    from {{ relation }}
    where {{ column }} is not null
    {% if not (outer_loop.last and loop.last) %}union all{% endif %}
    {%- endfor %}
    {%- endfor %}

)

select * from observations
