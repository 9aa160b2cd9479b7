{#- Shopify orders, one row per order (natural key: order id). Timestamps come with the shop's
    offset and are converted to UTC; money is decimal(18, 2) in `currency`. A re-exported page
    that carries the same order again wins over the earlier load (latest `_loaded_at`, then
    `_source_file` descending). -#}

with

source as (

    select * from {{ source('shopify', 'orders') }}

),

renamed as (

    select
        {{ shopify_id('id') }} as source_record_id,
        {{ shopify_id('id') }} as order_id,
        {{ trim_to_null('name') }} as order_number,
        {{ trim_to_null('email') }} as email,
        {{ strip_leading_apostrophe('phone') }} as phone,
        {{ shopify_id('customer__id') }} as customer_id,
        {{ trim_to_null('customer__email') }} as customer_email,
        {{ strip_leading_apostrophe('customer__phone') }} as customer_phone,
        {{ trim_to_null('customer__first_name') }} as customer_first_name,
        {{ trim_to_null('customer__last_name') }} as customer_last_name,
        {{ iso_timestamp_to_utc('customer__created_at') }} as customer_created_at,
        {{ cdp.vocabulary_value('customer__email_marketing_consent__state') }}
            as email_marketing_state,
        {{ cdp.vocabulary_value('customer__email_marketing_consent__opt_in_level') }}
            as email_marketing_opt_in_level,
        {{ iso_timestamp_to_utc('customer__email_marketing_consent__consent_updated_at') }}
            as email_marketing_consent_updated_at,
        {{ cdp.vocabulary_value('customer__sms_marketing_consent__state') }}
            as sms_marketing_state,
        {{ cdp.vocabulary_value('customer__sms_marketing_consent__opt_in_level') }}
            as sms_marketing_opt_in_level,
        {{ iso_timestamp_to_utc('customer__sms_marketing_consent__consent_updated_at') }}
            as sms_marketing_consent_updated_at,
        {{ cdp.vocabulary_value('customer__sms_marketing_consent__consent_collected_from') }}
            as sms_marketing_consent_collected_from,
        {{ trim_to_null('billing_address__first_name') }} as billing_first_name,
        {{ trim_to_null('billing_address__last_name') }} as billing_last_name,
        {{ trim_to_null('billing_address__address1') }} as billing_address_line_1,
        {{ trim_to_null('billing_address__address2') }} as billing_address_line_2,
        {{ trim_to_null('billing_address__city') }} as billing_city,
        {{ trim_to_null('billing_address__province') }} as billing_province,
        {{ trim_to_null('billing_address__province_code') }} as billing_province_code,
        {{ trim_to_null('billing_address__country') }} as billing_country,
        {{ cdp.vocabulary_value('billing_address__country_code') }} as billing_country_code,
        {{ strip_leading_apostrophe('billing_address__zip') }} as billing_postal_code,
        {{ strip_leading_apostrophe('billing_address__phone') }} as billing_phone,
        {{ trim_to_null('shipping_address__first_name') }} as shipping_first_name,
        {{ trim_to_null('shipping_address__last_name') }} as shipping_last_name,
        {{ trim_to_null('shipping_address__address1') }} as shipping_address_line_1,
        {{ trim_to_null('shipping_address__address2') }} as shipping_address_line_2,
        {{ trim_to_null('shipping_address__city') }} as shipping_city,
        {{ trim_to_null('shipping_address__province') }} as shipping_province,
        {{ trim_to_null('shipping_address__province_code') }} as shipping_province_code,
        {{ trim_to_null('shipping_address__country') }} as shipping_country,
        {{ cdp.vocabulary_value('shipping_address__country_code') }} as shipping_country_code,
        {{ strip_leading_apostrophe('shipping_address__zip') }} as shipping_postal_code,
        {{ strip_leading_apostrophe('shipping_address__phone') }} as shipping_phone,
        {{ iso_timestamp_to_utc('created_at') }} as created_at,
        {{ iso_timestamp_to_utc('processed_at') }} as processed_at,
        {{ iso_timestamp_to_utc('updated_at') }} as updated_at,
        {{ iso_timestamp_to_utc('cancelled_at') }} as cancelled_at,
        {{ iso_timestamp_to_utc('closed_at') }} as closed_at,
        {{ trim_to_null('cancelled_at') }} is not null as is_cancelled,
        {{ cdp.vocabulary_value('cancel_reason') }} as cancel_reason,
        {{ cdp.vocabulary_value('financial_status') }} as financial_status,
        {{ cdp.vocabulary_value('fulfillment_status') }} as fulfillment_status,
        {{ cdp.vocabulary_value('currency') }} as currency,
        {{ parse_money('total_price') }} as total_amount,
        {{ parse_money('subtotal_price') }} as subtotal_amount,
        {{ parse_money('total_tax') }} as tax_amount,
        {{ parse_money('total_discounts') }} as discount_amount,
        {{ trim_to_null('source_name') }} as source_name,
        {{ trim_to_null('landing_site') }} as landing_site,
        {{ trim_to_null('referring_site') }} as referring_site,
        {{ url_query_param('landing_site', 'utm_source') }} as landing_utm_source,
        {{ url_query_param('landing_site', 'utm_medium') }} as landing_utm_medium,
        {{ url_query_param('landing_site', 'utm_campaign') }} as landing_utm_campaign,
        {{ url_query_param('landing_site', 'mc_cid') }} as landing_mailchimp_campaign_id,
        {{ url_query_param('landing_site', 'mc_eid') }} as landing_mailchimp_subscriber_id,
        {{ trim_to_null('browser_ip') }} as browser_ip_address,
        {{ trim_to_null('checkout_token') }} as checkout_token,
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
        order_id,
        order_number,
        email,
        phone,
        customer_id,
        customer_email,
        customer_phone,
        customer_first_name,
        customer_last_name,
        customer_created_at,
        email_marketing_state,
        email_marketing_opt_in_level,
        email_marketing_consent_updated_at,
        sms_marketing_state,
        sms_marketing_opt_in_level,
        sms_marketing_consent_updated_at,
        sms_marketing_consent_collected_from,
        billing_first_name,
        billing_last_name,
        billing_address_line_1,
        billing_address_line_2,
        billing_city,
        billing_province,
        billing_province_code,
        billing_country,
        billing_country_code,
        billing_postal_code,
        billing_phone,
        shipping_first_name,
        shipping_last_name,
        shipping_address_line_1,
        shipping_address_line_2,
        shipping_city,
        shipping_province,
        shipping_province_code,
        shipping_country,
        shipping_country_code,
        shipping_postal_code,
        shipping_phone,
        created_at,
        processed_at,
        updated_at,
        cancelled_at,
        closed_at,
        is_cancelled,
        cancel_reason,
        financial_status,
        fulfillment_status,
        currency,
        total_amount,
        subtotal_amount,
        tax_amount,
        discount_amount,
        source_name,
        landing_site,
        referring_site,
        landing_utm_source,
        landing_utm_medium,
        landing_utm_campaign,
        landing_mailchimp_campaign_id,
        landing_mailchimp_subscriber_id,
        browser_ip_address,
        checkout_token,
        tags,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
