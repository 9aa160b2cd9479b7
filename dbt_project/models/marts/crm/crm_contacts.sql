{#- CRM-ready contacts: one row per known person (email or phone), with the external ids a CRM
    can upsert on, lifecycle stage, a simple lead score, last activity, totals and tags. -#}

with

profiles as (

    select * from {{ ref('profiles') }}
    where is_known

),

final as (

    select
        person_id,
        email,
        phone,
        first_name,
        last_name,
        address_line_1,
        address_line_2,
        city,
        region,
        postal_code,
        country_code,
        shopify_customer_id,
        square_customer_id,
        mailchimp_subscriber_id,
        lifecycle_stage,
        -- Lead score 0-100: engagement (opens, clicks, web), recency and an open checkout.
        least(
            100,
            least(email_opens_90d, 10) * 2
            + least(email_clicks_90d, 10) * 4
            + least(web_sessions, 10) * 2
            + case when has_open_checkout then 20 else 0 end
            + case when days_since_last_activity <= 30 then 10 else 0 end
        ) as lead_score,
        total_orders,
        total_revenue,
        online_orders,
        store_orders,
        first_purchase_at,
        last_purchase_at,
        last_activity_at,
        email_consent_status,
        is_email_marketable,
        sms_consent_status,
        is_sms_marketable,
        {{ dbt.concat([
            "'lifecycle:'", 'lifecycle_stage',
            "case when store_orders > 0 then ',store_shopper' else '' end",
            "case when online_orders > 0 then ',online_shopper' else '' end",
            "case when is_email_marketable then ',email_subscriber' else '' end"
        ]) }} as tags
    from profiles

)

select * from final
