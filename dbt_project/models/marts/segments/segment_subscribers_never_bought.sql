{#- Email subscribers who have never bought, online or in store: the first-purchase nurture
    audience. -#}

with

profiles as (

    select * from {{ ref('profiles') }}

),

final as (

    select
        person_id,
        email_consent_at,
        email_consent_source,
        email_opens_90d,
        email_clicks_90d,
        last_web_visit_at
    from profiles
    where email_consent_status = 'subscribed'
        and total_orders = 0

)

select * from final
