{#- Consent per person and channel (email, SMS). The most recent explicit, dated action across
    all sources decides: an opt-in or confirmed subscription makes the person subscribed, an
    unsubscribe unsubscribed, so a re-subscription after an unsubscribe wins and an unsubscribe
    after a subscription wins. An opt-out wins a tie (same second). States without a date never
    decide; with no dated action the status is `unknown`. The deciding action's time, source
    table and source record are kept. Hard bounces are an address matter: see profiles. -#}

with

events as (

    select * from {{ ref('int_consent_events') }}

),

ranked_actions as (

    select
        person_id,
        channel,
        action,
        action_detail,
        occurred_at,
        source_table,
        source_record_id,
        row_number() over (
            partition by person_id, channel
            order by
                occurred_at desc,
                case when action = 'opt_out' then 0 else 1 end,
                source_table,
                source_record_id
        ) as precedence
    from events
    where action in ('opt_in', 'opt_out')
        and occurred_at is not null

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
        email_decision.action_detail as email_consent_action,
        email_decision.occurred_at as email_consent_at,
        email_decision.source_table as email_consent_source,
        email_decision.source_record_id as email_consent_record_id,
        case sms_decision.action when 'opt_in' then 'subscribed' when 'opt_out' then 'unsubscribed'
            else 'unknown' end as sms_consent_status,
        sms_decision.action_detail as sms_consent_action,
        sms_decision.occurred_at as sms_consent_at,
        sms_decision.source_table as sms_consent_source,
        sms_decision.source_record_id as sms_consent_record_id
    from people
    left join decisions as email_decision
        on people.person_id = email_decision.person_id
        and email_decision.channel = 'email'
    left join decisions as sms_decision
        on people.person_id = sms_decision.person_id
        and sms_decision.channel = 'sms'

)

select * from final
