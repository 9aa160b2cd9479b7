{#- Contact details offered by each source record, with the person they belong to: the
    candidates among which survivorship picks each profile field. -#}

with

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

members as (

    select * from {{ ref('stg_mailchimp__members') }}

),

square_customers as (

    select * from {{ ref('stg_square__customers') }}

),

phone_numbers as (

    select * from {{ ref('stg_reference__phone_numbers') }}

),

candidates as (

    select
        'shopify_customers' as source_table,
        source_record_id,
        customer_id as shopify_customer_id,
        cast(null as {{ dbt.type_string() }}) as square_customer_id,
        cast(null as {{ dbt.type_string() }}) as mailchimp_subscriber_id,
        cast(null as {{ dbt.type_timestamp() }}) as observed_at,
        first_name,
        last_name,
        email,
        coalesce(phone, address_phone) as phone,
        address_line_1,
        address_line_2,
        address_city as city,
        address_province_code as region,
        address_postal_code as postal_code,
        address_country_code as country_code
    from shopify_customers
    union all
    select
        'shopify_orders' as source_table,
        source_record_id,
        customer_id as shopify_customer_id,
        cast(null as {{ dbt.type_string() }}) as square_customer_id,
        cast(null as {{ dbt.type_string() }}) as mailchimp_subscriber_id,
        created_at as observed_at,
        coalesce(customer_first_name, billing_first_name) as first_name,
        coalesce(customer_last_name, billing_last_name) as last_name,
        coalesce(customer_email, email) as email,
        coalesce(customer_phone, phone) as phone,
        billing_address_line_1 as address_line_1,
        billing_address_line_2 as address_line_2,
        billing_city as city,
        billing_province_code as region,
        billing_postal_code as postal_code,
        billing_country_code as country_code
    from shopify_orders
    union all
    select
        'mailchimp_members' as source_table,
        source_record_id,
        cast(null as {{ dbt.type_string() }}) as shopify_customer_id,
        cast(null as {{ dbt.type_string() }}) as square_customer_id,
        mailchimp_subscriber_id,
        last_changed_at as observed_at,
        first_name,
        last_name,
        email,
        phone,
        address_line_1,
        cast(null as {{ dbt.type_string() }}) as address_line_2,
        address_city as city,
        address_state as region,
        address_postal_code as postal_code,
        address_country_code as country_code
    from members
    union all
    select
        'square_customers' as source_table,
        source_record_id,
        cast(null as {{ dbt.type_string() }}) as shopify_customer_id,
        square_customer_id,
        cast(null as {{ dbt.type_string() }}) as mailchimp_subscriber_id,
        cast(last_visit_date as {{ dbt.type_timestamp() }}) as observed_at,
        first_name,
        last_name,
        email,
        phone,
        address_line_1,
        address_line_2,
        address_city as city,
        address_state as region,
        address_postal_code as postal_code,
        cast(null as {{ dbt.type_string() }}) as country_code
    from square_customers

),

normalised as (

    select
        candidates.*,
        {{ cdp.normalise_email('candidates.email') }} as email_normalised,
        phone_numbers.phone_e164
    from candidates
    left join phone_numbers
        on candidates.phone = phone_numbers.raw_phone
        and phone_numbers.is_valid

),

final as (

    select
        coalesce(
            by_shopify.person_id, by_square.person_id, by_subscriber.person_id,
            by_email.person_id, by_phone.person_id
        ) as person_id,
        normalised.source_table,
        normalised.source_record_id,
        normalised.observed_at,
        normalised.first_name,
        normalised.last_name,
        by_email.identifier_value as email,
        by_phone.identifier_value as phone,
        normalised.address_line_1,
        normalised.address_line_2,
        normalised.city,
        normalised.region,
        normalised.postal_code,
        -- a country staging could not place (`unknown`) is no country: never sent to a CRM
        nullif(normalised.country_code, 'unknown') as country_code,
        normalised.shopify_customer_id,
        normalised.square_customer_id,
        normalised.mailchimp_subscriber_id
    from normalised
    {{ cdp.person_join('by_shopify', 'shopify_customer_id', 'normalised.shopify_customer_id') }}
    {{ cdp.person_join('by_square', 'square_customer_id', 'normalised.square_customer_id') }}
    {{ cdp.person_join('by_subscriber', 'mailchimp_subscriber_id', 'normalised.mailchimp_subscriber_id') }}
    {{ cdp.person_join('by_email', 'email', 'normalised.email_normalised') }}
    {{ cdp.person_join('by_phone', 'phone', 'normalised.phone_e164') }}

)

select * from final
where person_id is not null
