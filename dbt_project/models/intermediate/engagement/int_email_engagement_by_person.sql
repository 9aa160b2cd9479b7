{#- Email engagement per person over the last 30 and 90 days (relative to as_of) and all time:
    campaigns sent, opens, clicks, bounces, unsubscribes, last open. -#}

with

recipients as (

    select * from {{ ref('stg_mailchimp__campaign_recipients') }}

),

activities as (

    select * from {{ ref('stg_mailchimp__email_activities') }}

),

unsubscribes as (

    select * from {{ ref('stg_mailchimp__unsubscribes') }}

),

email_events as (

    -- A send has no timestamp in the sent-to report: it counts in the windows through the
    -- campaign's first recorded activity, else it counts in all time only.
    select
        {{ cdp.normalise_email('email') }} as email,
        mailchimp_campaign_id,
        'sent' as action,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at
    from recipients
    union all
    select
        {{ cdp.normalise_email('email') }} as email,
        mailchimp_campaign_id,
        case when action = 'bounce' and bounce_type = 'hard' then 'hard_bounce' else action end as action,
        activity_at as occurred_at
    from activities
    union all
    select
        {{ cdp.normalise_email('email') }} as email,
        mailchimp_campaign_id,
        'unsubscribe' as action,
        unsubscribed_at as occurred_at
    from unsubscribes

),

campaign_dates as (

    select
        mailchimp_campaign_id,
        min(occurred_at) as first_activity_at
    from email_events
    where occurred_at is not null
    group by mailchimp_campaign_id

),

dated_events as (

    select
        email_events.email,
        email_events.action,
        coalesce(email_events.occurred_at, campaign_dates.first_activity_at) as occurred_at
    from email_events
    left join campaign_dates
        on email_events.mailchimp_campaign_id = campaign_dates.mailchimp_campaign_id

),

with_person as (

    select
        by_email.person_id,
        dated_events.action,
        dated_events.occurred_at,
        {{ dbt.datediff('dated_events.occurred_at', cdp.as_of(), 'day') }} as days_ago
    from dated_events
    {{ cdp.person_join('by_email', 'email', 'dated_events.email') }}
    where by_email.person_id is not null

),

final as (

    select
        person_id,
        sum(case when action = 'sent' then 1 else 0 end) as emails_sent,
        sum(case when action = 'open' then 1 else 0 end) as email_opens,
        sum(case when action = 'click' then 1 else 0 end) as email_clicks,
        sum(case when action = 'sent' and days_ago between 0 and 29 then 1 else 0 end) as emails_sent_30d,
        sum(case when action = 'open' and days_ago between 0 and 29 then 1 else 0 end) as email_opens_30d,
        sum(case when action = 'click' and days_ago between 0 and 29 then 1 else 0 end) as email_clicks_30d,
        sum(case when action = 'sent' and days_ago between 0 and 89 then 1 else 0 end) as emails_sent_90d,
        sum(case when action = 'open' and days_ago between 0 and 89 then 1 else 0 end) as email_opens_90d,
        sum(case when action = 'click' and days_ago between 0 and 89 then 1 else 0 end) as email_clicks_90d,
        sum(case when action in ('bounce', 'hard_bounce') then 1 else 0 end) as email_bounces,
        sum(case when action = 'hard_bounce' then 1 else 0 end) as email_hard_bounces,
        sum(case when action = 'unsubscribe' then 1 else 0 end) as email_unsubscribes,
        max(case when action = 'open' then occurred_at end) as last_email_open_at,
        max(case when action = 'click' then occurred_at end) as last_email_click_at,
        max(case when action in ('open', 'click') then occurred_at end) as last_email_engagement_at
    from with_person
    group by person_id

)

select * from final
