{#- CRM-ready contacts: one row per known person (email or phone) with the external ids a CRM
    upserts on (person_id, Shopify and Square customer ids, Mailchimp EUID), contact details,
    lifecycle stage, a lead score, last activity, purchase totals, RFM, predictive traits (from
    profiles) and tags. -#}

with

profiles as (

    select * from {{ ref('profiles') }}
    where is_known

),

scored as (

    select
        profiles.*,
        -- Lead score 0-100 from recent engagement (docs/profiles.md): 90-day email opens (2
        -- points each, at most 10) and clicks (4 each, at most 10), 90-day web sessions (2 each,
        -- at most 10), an open checkout (20) and any activity in the last 30 days (10).
        least(
            100,
            least(profiles.email_opens_90d, 10) * 2
            + least(profiles.email_clicks_90d, 10) * 4
            + least(profiles.web_sessions_90d, 10) * 2
            + case when profiles.has_open_checkout then 20 else 0 end
            + case when profiles.days_since_last_activity <= 30 then 10 else 0 end
        ) as lead_score
    from profiles

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
        cast(lead_score as {{ dbt.type_int() }}) as lead_score,
        first_seen_at,
        last_activity_at,
        days_since_last_activity,
        total_orders,
        total_revenue,
        average_order_value,
        currency,
        online_orders,
        online_revenue,
        store_orders,
        store_revenue,
        first_purchase_at,
        last_purchase_at,
        favourite_category,
        rfm_cell,
        probability_alive,
        churn_risk_score,
        expected_purchases_365d,
        expected_value_365d,
        email_consent_status,
        is_email_marketable,
        sms_consent_status,
        is_sms_marketable,
        {{ dbt.concat([
            "'lifecycle:'", 'lifecycle_stage',
            "case when store_orders > 0 then ',store_shopper' else '' end",
            "case when online_orders > 0 then ',online_shopper' else '' end",
            "case when is_email_marketable then ',email_subscriber' else '' end",
            "case when has_open_checkout then ',open_checkout' else '' end",
            "case when churn_risk_score >= " ~ var('high_churn_risk_min_score') ~ " and lifecycle_stage <> 'churned' then ',high_churn_risk' else '' end"
        ]) }} as tags
    from scored

)

select * from final
