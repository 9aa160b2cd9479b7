{#- Storefront events, one row per event (natural key: event id, a Segment-spec tracker's
    messageId), from the Web Pixel or a Segment-spec tracker (Segment, RudderStack). Tracker
    calls become events: page / screen → `page_viewed`, identify → `identify`, track → its
    `event`. Adds UTM and Mailchimp click parameters parsed from the page URL and device type /
    browser derived from the user agent (rules documented on the `user_agent_*` macros).
    Shopify GraphQL ids (gid://shopify/Customer/123) become numeric ids. Latest load wins. -#}

{#- Incremental (docs/ingestion.md): a run transforms only raw rows loaded since the last one,
    plus the events whose key this table no longer holds; the pre-hook first removes rows whose
    raw row is gone (a corrected file replaced it, a forgotten person was erased). The result is
    the same table a full rebuild (`cdp run --full-refresh`) gives. -#}
{{
    config(
        materialized='incremental',
        unique_key='source_record_id',
        incremental_strategy=('merge' if target.type in ('spark', 'databricks') else 'delete+insert'),
        pre_hook="{{ cdp.delete_rows_missing_from_source(source('shopify', 'web_events')) }}"
    )
}}

with

source as (

    select * from {{ source('shopify', 'web_events') }}
    {% if cdp.is_incremental_build() %}
    where
        _loaded_at > (select max(_loaded_at) from {{ this }})
        or {{ trim_to_null('event_id') }} not in (
            select source_record_id from {{ this }} where source_record_id is not null
        )
    {% endif %}

),

cleaned as (

    select
        {{ trim_to_null('event_id') }} as event_id,
        lower({{ trim_to_null('event_type') }}) as event_type,
        {{ trim_to_null('event_name') }} as event_name,
        {{ trim_to_null('page_name') }} as page_name,
        {{ trim_to_null('event_at') }} as event_at,
        {{ trim_to_null('client_id') }} as client_id,
        {{ shopify_id('customer_id') }} as customer_id,
        {{ trim_to_null('user_id') }} as user_id,
        {{ trim_to_null('traits_email') }} as traits_email,
        {{ strip_leading_apostrophe('traits_phone') }} as traits_phone,
        {{ shopify_id('order_id') }} as order_id,
        {{ trim_to_null('seq') }} as seq,
        {{ trim_to_null('page_url') }} as page_url,
        {{ trim_to_null('referrer') }} as referrer,
        {{ trim_to_null('user_agent') }} as user_agent,
        {{ trim_to_null('language') }} as language,
        {{ trim_to_null('screen_width') }} as screen_width,
        {{ trim_to_null('screen_height') }} as screen_height,
        {{ trim_to_null('checkout_token') }} as checkout_token,
        {{ trim_to_null('checkout_email') }} as checkout_email,
        {{ strip_leading_apostrophe('checkout_phone') }} as checkout_phone,
        {{ trim_to_null('checkout_total_amount') }} as checkout_total_amount,
        {{ trim_to_null('checkout_currency') }} as checkout_currency,
        {{ shopify_id('product_id') }} as product_id,
        {{ trim_to_null('product_title') }} as product_title,
        {{ trim_to_null('product_price') }} as product_price,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

renamed as (

    select
        event_id as source_record_id,
        event_id,
        event_type,
        case
            when event_type in ('page', 'screen') then 'page_viewed'
            when event_type = 'identify' then 'identify'
            -- other tracker calls (group, alias) by their type
            when event_name is null and event_type in ('group', 'alias') then event_type
            -- track calls and pixel events: their name through the vocabulary
            else {{ cdp.vocabulary_value('event_name') }}
        end as event_name,
        page_name,
        {{ iso_timestamp_to_utc('event_at') }} as event_at,
        client_id as anonymous_id,
        customer_id,
        -- a tracker's logged-in user id (Segment / RudderStack `userId`) and the traits it sent
        user_id as tracker_user_id,
        traits_email,
        traits_phone,
        order_id,
        {{ dbt.safe_cast('seq', dbt.type_int()) }} as event_sequence,
        page_url,
        referrer as referrer_url,
        {{ url_query_param('page_url', 'utm_source') }} as utm_source,
        {{ url_query_param('page_url', 'utm_medium') }} as utm_medium,
        {{ url_query_param('page_url', 'utm_campaign') }} as utm_campaign,
        {{ url_query_param('page_url', 'utm_content') }} as utm_content,
        {{ url_query_param('page_url', 'utm_term') }} as utm_term,
        {{ url_query_param('page_url', 'mc_cid') }} as mailchimp_campaign_id,
        {{ url_query_param('page_url', 'mc_eid') }} as mailchimp_subscriber_id,
        user_agent,
        {{ user_agent_device_type('user_agent') }} as device_type,
        {{ user_agent_browser('user_agent') }} as browser,
        language as browser_language,
        {{ dbt.safe_cast('screen_width', dbt.type_int()) }} as screen_width,
        {{ dbt.safe_cast('screen_height', dbt.type_int()) }} as screen_height,
        checkout_token,
        checkout_email,
        checkout_phone,
        {{ parse_money('checkout_total_amount') }} as checkout_total_amount,
        {{ cdp.vocabulary_value('checkout_currency') }} as checkout_currency,
        product_id,
        product_title,
        {{ parse_money('product_price') }} as product_price_amount,
        _source_file,
        _source_row,
        _loaded_at
    from cleaned

),

latest_loads as (

    {{ cdp.latest_load_only('renamed') }}

),

final as (

    select
        source_record_id,
        event_id,
        event_type,
        event_name,
        page_name,
        event_at,
        anonymous_id,
        customer_id,
        tracker_user_id,
        traits_email,
        traits_phone,
        order_id,
        event_sequence,
        page_url,
        referrer_url,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        mailchimp_campaign_id,
        mailchimp_subscriber_id,
        user_agent,
        device_type,
        browser,
        browser_language,
        screen_width,
        screen_height,
        checkout_token,
        checkout_email,
        checkout_phone,
        checkout_total_amount,
        checkout_currency,
        product_id,
        product_title,
        product_price_amount,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
