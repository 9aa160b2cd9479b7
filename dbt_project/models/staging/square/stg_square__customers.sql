{#- Square customer directory, one row per customer (natural key: Square Customer ID). Holds the
    email / phone a shopper gave at the counter. Latest load wins (`_loaded_at`, then
    `_source_file` descending). -#}

with

source as (

    select * from {{ source('square', 'customers') }}

),

renamed as (

    select
        {{ trim_to_null('square_customer_id') }} as source_record_id,
        {{ trim_to_null('square_customer_id') }} as square_customer_id,
        {{ trim_to_null('reference_id') }} as customer_reference_id,
        {{ trim_to_null('first_name') }} as first_name,
        {{ trim_to_null('last_name') }} as last_name,
        {{ trim_to_null('nickname') }} as nickname,
        {{ trim_to_null('company_name') }} as company_name,
        {{ trim_to_null('email_address') }} as email,
        {{ strip_leading_apostrophe('phone_number') }} as phone,
        {{ trim_to_null('street_address_1') }} as address_line_1,
        {{ trim_to_null('street_address_2') }} as address_line_2,
        {{ trim_to_null('city') }} as address_city,
        {{ trim_to_null('state') }} as address_state,
        {{ trim_to_null('postal_code') }} as address_postal_code,
        {{ trim_to_null('birthday') }} as birthday,
        {{ trim_to_null('memo') }} as memo,
        {{ trim_to_null('creation_source') }} as creation_source,
        {{ parse_us_date('first_visit') }} as first_visit_date,
        {{ parse_us_date('last_visit') }} as last_visit_date,
        {{ dbt.safe_cast("replace(" ~ trim_to_null('transaction_count') ~ ", ',', '')", dbt.type_int()) }}
            as transaction_count,
        '{{ var("square_currency", "USD") }}' as currency,
        {{ parse_money('total_spend') }} as total_spend_amount,
        {{ cdp.vocabulary_value('email_subscription_status') }} as email_subscription_status,
        -- The status column (any case; Unknown or anything unreadable is no consent), else the
        -- older export's `Email Unsubscribed` flag: True = opted out, False = not opted out,
        -- which is what Square counts as a subscribed customer.
        coalesce(
            case {{ cdp.vocabulary_value('email_subscription_status') }}
                when 'subscribed' then true
                when 'unsubscribed' then false
            end,
            case {{ cdp.vocabulary_value('email_unsubscribed') }}
                when 'yes' then false
                when 'no' then true
            end
        ) as is_email_subscribed,
        {{ cdp.vocabulary_flag('instant_profile') }} as is_instant_profile,
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
        square_customer_id,
        customer_reference_id,
        first_name,
        last_name,
        nickname,
        company_name,
        email,
        phone,
        address_line_1,
        address_line_2,
        address_city,
        address_state,
        address_postal_code,
        birthday,
        memo,
        creation_source,
        first_visit_date,
        last_visit_date,
        transaction_count,
        currency,
        total_spend_amount,
        email_subscription_status,
        is_email_subscribed,
        is_instant_profile,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
