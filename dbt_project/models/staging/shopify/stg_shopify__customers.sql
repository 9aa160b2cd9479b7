{#- Shopify admin customer export, one row per customer (natural key: Customer ID without
    Shopify's leading apostrophe). Latest load wins (`_loaded_at`, then `_source_file` descending). -#}

with

source as (

    select * from {{ source('shopify', 'customers') }}

),

renamed as (

    select
        -- Exports before 2023 have no Customer ID column: their email is the record's key.
        coalesce(
            {{ shopify_id('customer_id') }},
            lower({{ trim_to_null('email') }})
        ) as source_record_id,
        {{ shopify_id('customer_id') }} as customer_id,
        {{ trim_to_null('first_name') }} as first_name,
        {{ trim_to_null('last_name') }} as last_name,
        {{ trim_to_null('email') }} as email,
        {{ strip_leading_apostrophe('phone') }} as phone,
        -- `Accepts Marketing` is the single consent column of exports before the 2022 split.
        coalesce(
            {{ cdp.vocabulary_flag('accepts_email_marketing') }},
            {{ cdp.vocabulary_flag('accepts_marketing') }}
        ) as has_accepted_email_marketing,
        {{ cdp.vocabulary_flag('accepts_sms_marketing') }} as has_accepted_sms_marketing,
        {{ trim_to_null('default_address_company') }} as address_company,
        {{ trim_to_null('default_address_address1') }} as address_line_1,
        {{ trim_to_null('default_address_address2') }} as address_line_2,
        {{ trim_to_null('default_address_city') }} as address_city,
        {{ trim_to_null('default_address_province') }} as address_province,
        {{ trim_to_null('default_address_country') }} as address_country,
        {{ trim_to_null('default_address_province_code') }} as address_province_code,
        {{ cdp.vocabulary_value('default_address_country_code') }} as address_country_code,
        {{ strip_leading_apostrophe('default_address_zip') }} as address_postal_code,
        {{ strip_leading_apostrophe('default_address_phone') }} as address_phone,
        {{ parse_money('total_spent') }} as total_spent_amount,
        {{ dbt.safe_cast(trim_to_null('total_orders'), dbt.type_int()) }} as order_count,
        {{ trim_to_null('note') }} as note,
        {{ cdp.vocabulary_flag('tax_exempt') }} as is_tax_exempt,
        {{ trim_to_null('tags') }} as tags,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

latest_loads as (

    {{ cdp.latest_load_only('renamed') }}

),

final as (

    select
        source_record_id,
        customer_id,
        first_name,
        last_name,
        email,
        phone,
        has_accepted_email_marketing,
        has_accepted_sms_marketing,
        address_company,
        address_line_1,
        address_line_2,
        address_city,
        address_province,
        address_province_code,
        address_country,
        address_country_code,
        address_postal_code,
        address_phone,
        total_spent_amount,
        order_count,
        note,
        is_tax_exempt,
        tags,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
