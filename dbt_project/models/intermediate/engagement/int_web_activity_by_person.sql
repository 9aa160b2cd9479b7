{#- Storefront activity per identified person: sessions (all time and in the 30 / 90 days
    before as_of), last seen, devices and browsers used, and the UTM source of their latest
    campaign-tagged session. -#}

with

sessions as (

    select * from {{ ref('int_web_sessions') }}
    where person_id is not null

),

latest_campaign_session as (

    select
        person_id,
        utm_source,
        row_number() over (partition by person_id order by started_at desc, session_id desc) as recency
    from sessions
    where utm_source is not null

),

devices as (

    select distinct person_id, device_type from sessions where device_type is not null

),

browsers as (

    select distinct person_id, browser from sessions where browser is not null

),

device_lists as (

    select
        person_id,
        count(*) as device_type_count,
        {{ dbt.listagg('device_type', "', '", 'order by device_type') }} as device_types
    from devices
    group by person_id

),

browser_lists as (

    select
        person_id,
        {{ dbt.listagg('browser', "', '", 'order by browser') }} as browsers
    from browsers
    group by person_id

),

totals as (

    select
        person_id,
        count(*) as web_sessions,
        sum(event_count) as web_events,
        sum(case when {{ dbt.datediff('started_at', cdp.as_of(), 'day') }} between 0 and 29
            then 1 else 0 end) as web_sessions_30d,
        sum(case when {{ dbt.datediff('started_at', cdp.as_of(), 'day') }} between 0 and 89
            then 1 else 0 end) as web_sessions_90d,
        min(started_at) as first_web_visit_at,
        max(ended_at) as last_web_visit_at,
        count(distinct anonymous_id) as browser_ids
    from sessions
    group by person_id

),

final as (

    select
        totals.person_id,
        totals.web_sessions,
        totals.web_events,
        totals.web_sessions_30d,
        totals.web_sessions_90d,
        totals.first_web_visit_at,
        totals.last_web_visit_at,
        totals.browser_ids,
        device_lists.device_type_count,
        device_lists.device_types,
        browser_lists.browsers,
        latest_campaign_session.utm_source as last_utm_source
    from totals
    left join device_lists
        on totals.person_id = device_lists.person_id
    left join browser_lists
        on totals.person_id = browser_lists.person_id
    left join latest_campaign_session
        on totals.person_id = latest_campaign_session.person_id
        and latest_campaign_session.recency = 1

)

select * from final
