{#- The unified profile: one row per person, known or still anonymous, with contact details
    chosen by survivorship, purchase totals online and in store, email and web engagement,
    consent per channel and lifecycle stage. -#}

with

identifiers as (

    select * from {{ ref('int_person_identifiers') }}

),

contact as (

    select * from {{ ref('int_person_contact') }}

),

orders as (

    select * from {{ ref('int_orders') }}
    where person_id is not null

),

order_lines as (

    select * from {{ ref('int_order_lines') }}
    where person_id is not null

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

people as (

    select
        person_id,
        count(*) as identifier_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from identifiers
    group by person_id

),

purchases as (

    select
        person_id,
        sum(case when channel = 'online' and not is_cancelled then 1 else 0 end) as online_orders,
        sum(case when channel = 'online' then net_revenue_amount else 0 end) as online_revenue,
        sum(case when channel = 'online' then refunded_amount else 0 end) as online_refunds,
        sum(case when channel = 'store' then 1 else 0 end) as store_orders,
        sum(case when channel = 'store' then net_revenue_amount else 0 end) as store_revenue,
        sum(case when channel = 'store' then refunded_amount else 0 end) as store_refunds,
        min(case when not is_cancelled then ordered_at end) as first_purchase_at,
        max(case when not is_cancelled then ordered_at end) as last_purchase_at
    from orders
    group by person_id

),

category_revenue as (

    select
        person_id,
        category,
        row_number() over (
            partition by person_id order by sum(line_amount) desc, category
        ) as category_rank
    from order_lines
    group by person_id, category

),

hard_bounced_emails as (

    select distinct email from consent_events where action = 'hard_bounce'

),

open_checkouts as (

    select
        person_id,
        max(started_at) as last_open_checkout_at
    from checkouts
    where not has_order
        and {{ dbt.datediff('started_at', cdp.as_of(), 'hour') }} >= {{ var('abandoned_checkout_after_hours') }}
        and person_id is not null
    group by person_id

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
        cast(coalesce(purchases.online_revenue, 0) as decimal(18, 2)) as online_revenue,
        cast(coalesce(purchases.online_refunds, 0) as decimal(18, 2)) as online_refunds,
        coalesce(purchases.store_orders, 0) as store_orders,
        cast(coalesce(purchases.store_revenue, 0) as decimal(18, 2)) as store_revenue,
        cast(coalesce(purchases.store_refunds, 0) as decimal(18, 2)) as store_refunds,
        purchases.first_purchase_at,
        purchases.last_purchase_at,
        category_revenue.category as favourite_category,
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
        web_activity.last_web_visit_at,
        web_activity.device_types,
        web_activity.browsers,
        web_activity.last_utm_source,
        coalesce(consent.email_consent_status, 'unknown') as email_consent_status,
        consent.email_consent_at,
        consent.email_consent_source,
        coalesce(consent.sms_consent_status, 'unknown') as sms_consent_status,
        consent.sms_consent_at,
        consent.sms_consent_source,
        hard_bounced_emails.email is not null as is_email_hard_bounced,
        open_checkouts.last_open_checkout_at,
        open_checkouts.person_id is not null as has_open_checkout
    from people
    left join contact
        on people.person_id = contact.person_id
    left join purchases
        on people.person_id = purchases.person_id
    left join category_revenue
        on people.person_id = category_revenue.person_id
        and category_revenue.category_rank = 1
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

),

with_totals as (

    select
        *,
        online_orders + store_orders as total_orders,
        cast(online_revenue + store_revenue as decimal(18, 2)) as total_revenue,
        {{ cdp.greatest_of(['last_purchase_at', 'last_email_engagement_at', 'last_web_visit_at', 'email_consent_at']) }} as last_activity_at,
        email is not null or phone is not null as is_known,
        email is not null
            and email_consent_status = 'subscribed'
            and not is_email_hard_bounced as is_email_marketable,
        phone is not null and sms_consent_status = 'subscribed' as is_sms_marketable,
        {{ dbt.datediff('last_purchase_at', cdp.as_of(), 'day') }} as days_since_last_purchase
    from joined

),

final as (

    select
        *,
        {{ dbt.datediff('last_activity_at', cdp.as_of(), 'day') }} as days_since_last_activity,
        case
            when total_orders > 0 and days_since_last_purchase > {{ var('lifecycle_churned_after_days') }}
                then 'churned'
            when total_orders > 0 and days_since_last_purchase > {{ var('lifecycle_at_risk_after_days') }}
                then 'at_risk'
            when total_revenue >= {{ var('lifecycle_vip_min_revenue') }}
                or total_orders >= {{ var('lifecycle_vip_min_orders') }}
                then 'vip'
            when total_orders >= 2 then 'repeat_customer'
            when total_orders = 1 then 'first_time_customer'
            when email_consent_status = 'subscribed' then 'subscriber'
            when is_known then 'lead'
            else 'anonymous'
        end as lifecycle_stage
    from with_totals

)

select * from final
