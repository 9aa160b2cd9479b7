{#- Fails for every person a marketing audience could reach without an explicit subscription:
    a profile marked email- or SMS-marketable whose consent status is not `subscribed` (an
    unknown or unreadable status must never count as consent), and a member of
    segment_subscribers_never_bought who is not subscribed. The export gate (exports/consent.py)
    sends marketing files only to marketable profiles, so this guards every marketing file. -#}

{#- The asset check Dagster shows on profiles (dagster-dbt reads meta.dagster.ref). -#}
{{ config(meta={'dagster': {'ref': {'name': 'profiles'}}}) }}

with

profiles as (

    select * from {{ ref('profiles') }}

),

subscribers_never_bought as (

    select * from {{ ref('segment_subscribers_never_bought') }}

)

select
    person_id,
    {{ dbt.concat(["'email-marketable profile with email consent '", 'email_consent_status']) }} as problem
from profiles
where is_email_marketable and email_consent_status <> 'subscribed'
union all
select
    person_id,
    {{ dbt.concat(["'SMS-marketable profile with SMS consent '", 'sms_consent_status']) }} as problem
from profiles
where is_sms_marketable and sms_consent_status <> 'subscribed'
union all
select
    subscribers_never_bought.person_id,
    {{ dbt.concat(["'segment_subscribers_never_bought member with email consent '", "coalesce(profiles.email_consent_status, 'missing')"]) }}
        as problem
from subscribers_never_bought
left join profiles
    on subscribers_never_bought.person_id = profiles.person_id
where coalesce(profiles.email_consent_status, 'missing') <> 'subscribed'
