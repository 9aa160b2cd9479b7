{#- A time-ordered activity timeline per person for a CRM: orders, store purchases, email
    opens / clicks / bounces / unsubscribes, web sessions and checkouts, each with the source
    record it came from. -#}

with

orders as (

    select * from {{ ref('int_orders') }}
    where person_id is not null

),

email_activities as (

    select * from {{ ref('stg_mailchimp__email_activities') }}

),

unsubscribes as (

    select * from {{ ref('stg_mailchimp__unsubscribes') }}

),

sessions as (

    select * from {{ ref('int_web_sessions') }}
    where person_id is not null

),

checkouts as (

    select * from {{ ref('int_checkouts') }}
    where person_id is not null

),

email_events as (

    select
        {{ cdp.normalise_email('email') }} as email,
        case
            when action = 'open' then 'email_opened'
            when action = 'click' then 'email_clicked'
            when action = 'bounce' then 'email_bounced'
            else {{ dbt.concat(["'email_'", 'action']) }}
        end as activity_type,
        activity_at as occurred_at,
        coalesce(url, bounce_type) as detail,
        mailchimp_campaign_id,
        'mailchimp_email_activity' as source_table,
        source_record_id
    from email_activities
    union all
    select
        {{ cdp.normalise_email('email') }} as email,
        'email_unsubscribed' as activity_type,
        unsubscribed_at as occurred_at,
        unsubscribe_reason as detail,
        mailchimp_campaign_id,
        'mailchimp_unsubscribes' as source_table,
        source_record_id
    from unsubscribes

),

activities as (

    select
        person_id,
        case when channel = 'online' then 'online_order' else 'store_purchase' end as activity_type,
        ordered_at as occurred_at,
        {{ dbt.concat([
            "case when is_cancelled then 'cancelled' else order_status end", "' '",
            'cast(net_revenue_amount as ' ~ dbt.type_string() ~ ')', "' '", 'currency'
        ]) }} as detail,
        net_revenue_amount as amount,
        source_table,
        source_record_id
    from orders
    union all
    select
        by_email.person_id,
        email_events.activity_type,
        email_events.occurred_at,
        email_events.detail,
        cast(null as decimal(18, 2)) as amount,
        email_events.source_table,
        email_events.source_record_id
    from email_events
    {{ cdp.person_join('by_email', 'email', 'email_events.email') }}
    where by_email.person_id is not null
    union all
    select
        person_id,
        'web_session' as activity_type,
        started_at as occurred_at,
        {{ dbt.concat(["coalesce(device_type, 'unknown device')", "' · '", "cast(event_count as " ~ dbt.type_string() ~ ")", "' events'"]) }} as detail,
        cast(null as decimal(18, 2)) as amount,
        'shopify_web_events' as source_table,
        session_id as source_record_id
    from sessions
    union all
    select
        person_id,
        'checkout_started' as activity_type,
        started_at as occurred_at,
        case when has_order then 'ordered' else 'no order yet' end as detail,
        checkout_total_amount as amount,
        'shopify_web_events' as source_table,
        checkout_token as source_record_id
    from checkouts

),

final as (

    select
        {{ dbt.hash(dbt.concat(['activity_type', "'|'", 'source_table', "'|'", 'source_record_id'])) }} as activity_id,
        person_id,
        row_number() over (
            partition by person_id
            order by occurred_at, activity_type, source_record_id
        ) as activity_sequence,
        activity_type,
        occurred_at,
        detail,
        amount,
        source_table,
        source_record_id
    from activities

)

select * from final
