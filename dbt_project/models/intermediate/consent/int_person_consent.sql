{#- Consent per person and channel: the most recent explicit action wins (an opt-out wins a
    tie; undated states count only when nothing is dated). The deciding action's time and
    source are kept. Hard bounces are listed per address, for the mailability rule. -#}

with

events as (

    select * from {{ ref('int_consent_events') }}

),

ranked_actions as (

    select
        person_id,
        channel,
        action,
        occurred_at,
        source_table,
        row_number() over (
            partition by person_id, channel
            order by
                case when occurred_at is null then 1 else 0 end,
                occurred_at desc,
                case when action = 'opt_out' then 0 else 1 end,
                source_table
        ) as precedence
    from events
    where action in ('opt_in', 'opt_out')

),

decisions as (

    select * from ranked_actions where precedence = 1

),

people as (

    select distinct person_id from events

),

final as (

    select
        people.person_id,
        case email_decision.action when 'opt_in' then 'subscribed' when 'opt_out' then 'unsubscribed'
            else 'unknown' end as email_consent_status,
        email_decision.occurred_at as email_consent_at,
        email_decision.source_table as email_consent_source,
        case sms_decision.action when 'opt_in' then 'subscribed' when 'opt_out' then 'unsubscribed'
            else 'unknown' end as sms_consent_status,
        sms_decision.occurred_at as sms_consent_at,
        sms_decision.source_table as sms_consent_source
    from people
    left join decisions as email_decision
        on people.person_id = email_decision.person_id
        and email_decision.channel = 'email'
    left join decisions as sms_decision
        on people.person_id = sms_decision.person_id
        and sms_decision.channel = 'sms'

)

select * from final
