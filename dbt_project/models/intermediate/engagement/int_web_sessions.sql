{#- Storefront sessions: a browser's events with no gap longer than 30 minutes (the usual web
    analytics definition), with the person behind the browser once it was identified. -#}

with

events as (

    select * from {{ ref('stg_shopify__web_events') }}

),

with_gaps as (

    select
        event_id,
        anonymous_id,
        event_name,
        event_at,
        device_type,
        browser,
        utm_source,
        utm_medium,
        utm_campaign,
        case
            when lag(event_at) over (partition by anonymous_id order by event_at, event_id) is null
                then 1
            when {{ dbt.datediff(
                'lag(event_at) over (partition by anonymous_id order by event_at, event_id)',
                'event_at', 'minute') }} > 30
                then 1
            else 0
        end as is_session_start
    from events

),

numbered as (

    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from with_gaps

),

sessions as (

    select
        anonymous_id,
        session_number,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        count(*) as event_count,
        max(device_type) as device_type,
        max(browser) as browser,
        max(utm_source) as utm_source,
        max(utm_medium) as utm_medium,
        max(utm_campaign) as utm_campaign,
        max(case when event_name = 'checkout_started' then 1 else 0 end) = 1 as has_checkout_started,
        max(case when event_name = 'checkout_completed' then 1 else 0 end) = 1 as has_checkout_completed
    from numbered
    group by anonymous_id, session_number

),

final as (

    select
        {{ dbt.concat(['sessions.anonymous_id', "'-'", 'cast(sessions.session_number as ' ~ dbt.type_string() ~ ')']) }} as session_id,
        by_browser.person_id,
        sessions.*
    from sessions
    {{ cdp.person_join('by_browser', 'anonymous_id', 'sessions.anonymous_id') }}

)

select * from final
