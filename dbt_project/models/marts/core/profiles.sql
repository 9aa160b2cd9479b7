{#- The unified profile: one row per person, known or still anonymous, with contact details
    chosen by survivorship, purchase traits online and in store, RFM scores, email and web
    engagement, consent per channel, an open checkout, the lifecycle stage and the predictive
    traits (BG/NBD-family + Gamma-Gamma, fitted by Python on int_purchase_summary: null for
    people who never bought), all as of `as_of`. Reading the predictions makes this table, and
    everything built on it, part of the dbt step after the fit (docs/profiles.md, "Where it
    runs"). -#}

with

identifiers as (

    select * from {{ ref('int_person_identifiers') }}

),

contact as (

    select * from {{ ref('int_person_contact') }}

),

purchases as (

    select * from {{ ref('int_person_purchases') }}

),

rfm as (

    select * from {{ ref('int_person_rfm') }}

),

email_engagement as (

    select * from {{ ref('int_email_engagement_by_person') }}

),

web_activity as (

    select * from {{ ref('int_web_activity_by_person') }}

),

consent as (

    select * from {{ ref('int_person_consent') }}

),

consent_events as (

    select * from {{ ref('int_consent_events') }}

),

checkouts as (

    select * from {{ ref('int_checkouts') }}

),

predictions as (

    select * from {{ ref('int_person_predictions') }}

),

people as (

    select
        person_id,
        count(*) as identifier_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from identifiers
    group by person_id

),

hard_bounced_emails as (

    -- A hard bounce is a property of the address: whoever's consent, it is not mailable.
    select distinct email from consent_events
    where action = 'hard_bounce' and email is not null

),

open_checkouts as (

    select
        checkouts.person_id,
        max(checkouts.started_at) as last_open_checkout_at
    from checkouts
    where checkouts.person_id is not null
        and {{ cdp.is_open_checkout('checkouts') }}
    group by checkouts.person_id

),

joined as (

    select
        people.person_id,
        contact.first_name,
        contact.last_name,
        contact.email,
        contact.phone,
        contact.address_line_1,
        contact.address_line_2,
        contact.city,
        contact.region,
        contact.postal_code,
        contact.country_code,
        contact.first_name_source,
        contact.last_name_source,
        contact.email_source,
        contact.phone_source,
        contact.address_source,
        contact.shopify_customer_id,
        contact.square_customer_id,
        contact.mailchimp_subscriber_id,
        people.identifier_count,
        people.first_seen_at,
        people.last_seen_at,
        coalesce(purchases.online_orders, 0) as online_orders,
        coalesce(purchases.online_revenue, cast(0 as decimal(18, 2))) as online_revenue,
        coalesce(purchases.online_refunds, cast(0 as decimal(18, 2))) as online_refunds,
        purchases.online_average_order_value,
        coalesce(purchases.store_orders, 0) as store_orders,
        coalesce(purchases.store_revenue, cast(0 as decimal(18, 2))) as store_revenue,
        coalesce(purchases.store_refunds, cast(0 as decimal(18, 2))) as store_refunds,
        purchases.store_average_order_value,
        coalesce(purchases.total_orders, 0) as total_orders,
        coalesce(purchases.total_revenue, cast(0 as decimal(18, 2))) as total_revenue,
        coalesce(purchases.total_refunds, cast(0 as decimal(18, 2))) as total_refunds,
        purchases.average_order_value,
        purchases.currency,
        purchases.first_purchase_at,
        purchases.last_purchase_at,
        purchases.last_online_purchase_at,
        purchases.last_store_purchase_at,
        purchases.favourite_category,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_cell,
        coalesce(email_engagement.emails_sent, 0) as emails_sent,
        coalesce(email_engagement.email_opens, 0) as email_opens,
        coalesce(email_engagement.email_clicks, 0) as email_clicks,
        coalesce(email_engagement.emails_sent_30d, 0) as emails_sent_30d,
        coalesce(email_engagement.email_opens_30d, 0) as email_opens_30d,
        coalesce(email_engagement.email_clicks_30d, 0) as email_clicks_30d,
        coalesce(email_engagement.emails_sent_90d, 0) as emails_sent_90d,
        coalesce(email_engagement.email_opens_90d, 0) as email_opens_90d,
        coalesce(email_engagement.email_clicks_90d, 0) as email_clicks_90d,
        email_engagement.last_email_open_at,
        email_engagement.last_email_engagement_at,
        coalesce(web_activity.web_sessions, 0) as web_sessions,
        coalesce(web_activity.web_sessions_30d, 0) as web_sessions_30d,
        coalesce(web_activity.web_sessions_90d, 0) as web_sessions_90d,
        web_activity.last_web_visit_at,
        web_activity.device_types,
        web_activity.browsers,
        web_activity.last_utm_source,
        coalesce(consent.email_consent_status, 'unknown') as email_consent_status,
        consent.email_consent_action,
        consent.email_consent_at,
        consent.email_consent_source,
        consent.email_consent_record_id,
        coalesce(consent.sms_consent_status, 'unknown') as sms_consent_status,
        consent.sms_consent_action,
        consent.sms_consent_at,
        consent.sms_consent_source,
        consent.sms_consent_record_id,
        hard_bounced_emails.email is not null as is_email_hard_bounced,
        open_checkouts.last_open_checkout_at,
        predictions.probability_alive,
        predictions.churn_risk_score,
        predictions.expected_purchases_90d,
        predictions.expected_purchases_365d,
        predictions.expected_value_90d,
        predictions.expected_value_365d
    from people
    left join contact
        on people.person_id = contact.person_id
    left join purchases
        on people.person_id = purchases.person_id
    left join rfm
        on people.person_id = rfm.person_id
    left join email_engagement
        on people.person_id = email_engagement.person_id
    left join web_activity
        on people.person_id = web_activity.person_id
    left join consent
        on people.person_id = consent.person_id
    left join hard_bounced_emails
        on contact.email = hard_bounced_emails.email
    left join open_checkouts
        on people.person_id = open_checkouts.person_id
    left join predictions
        on people.person_id = predictions.person_id

),

with_activity as (

    select
        *,
        {{ cdp.greatest_of(['last_purchase_at', 'last_email_engagement_at', 'last_web_visit_at', 'email_consent_at', 'sms_consent_at']) }} as last_activity_at,
        email is not null or phone is not null as is_known,
        total_orders > 0 as is_customer,
        email is not null
            and email_consent_status = 'subscribed'
            and not is_email_hard_bounced as is_email_marketable,
        phone is not null and sms_consent_status = 'subscribed' as is_sms_marketable,
        last_open_checkout_at is not null
            and {{ dbt.datediff('last_open_checkout_at', cdp.as_of(), 'day') }} < {{ var('open_checkout_lookback_days') }}
            as has_open_checkout,
        {{ dbt.datediff('last_purchase_at', cdp.as_of(), 'day') }} as days_since_last_purchase
    from joined

),

final as (

    select
        *,
        {{ dbt.datediff('last_activity_at', cdp.as_of(), 'day') }} as days_since_last_activity,
        {{ cdp.lifecycle_stage() }} as lifecycle_stage,
        {{ cdp.as_of() }} as as_of_at
    from with_activity

)

select * from final
