{#- Every marketing-consent action and every hard bounce, from every source, with the person it
    belongs to. Only dated actions can decide consent (int_person_consent); states exported
    without a date (the Shopify customers CSV, Square's directory) are kept as evidence with a
    null occurred_at. -#}

with

members as (

    select * from {{ ref('stg_mailchimp__members') }}

),

unsubscribes as (

    select * from {{ ref('stg_mailchimp__unsubscribes') }}

),

activities as (

    select * from {{ ref('stg_mailchimp__email_activities') }}

),

orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

square_customers as (

    select * from {{ ref('stg_square__customers') }}

),

email_actions as (

    -- A member who subscribed (and one later cleaned) opted in: the confirmation of a double
    -- opt-in is the decisive moment, else the opt-in itself. Never last_changed_at, which moves
    -- on any profile edit and would make an old subscription look newer than an unsubscribe.
    select
        {{ cdp.normalise_email('email') }} as email,
        'email' as channel,
        'opt_in' as action,
        case when confirmed_at is not null then 'confirmed subscription' else 'opt-in' end as action_detail,
        coalesce(confirmed_at, opted_in_at) as occurred_at,
        'mailchimp_members' as source_table,
        source_record_id
    from members
    where member_status in ('subscribed', 'cleaned')
    union all
    select
        {{ cdp.normalise_email('email') }} as email,
        'email' as channel,
        'opt_out' as action,
        'unsubscribed' as action_detail,
        coalesce(unsubscribed_at, last_changed_at) as occurred_at,
        'mailchimp_members' as source_table,
        source_record_id
    from members
    where member_status = 'unsubscribed'
    union all
    select
        {{ cdp.normalise_email('email') }} as email,
        'email' as channel,
        'opt_out' as action,
        'unsubscribed from a campaign' as action_detail,
        unsubscribed_at as occurred_at,
        'mailchimp_unsubscribes' as source_table,
        source_record_id
    from unsubscribes
    union all
    -- Shopify stamps the customer's consent on each order with the time it last changed;
    -- `not_subscribed` (never asked) is no action, `unsubscribed` is.
    select
        {{ cdp.normalise_email('coalesce(customer_email, email)') }} as email,
        'email' as channel,
        case when email_marketing_state = 'subscribed' then 'opt_in' else 'opt_out' end as action,
        case
            when email_marketing_state = 'unsubscribed' then 'unsubscribed'
            when email_marketing_opt_in_level = 'confirmed_opt_in' then 'confirmed subscription'
            else 'opt-in'
        end as action_detail,
        email_marketing_consent_updated_at as occurred_at,
        'shopify_orders' as source_table,
        source_record_id
    from orders
    where email_marketing_state in ('subscribed', 'unsubscribed')
        and email_marketing_consent_updated_at is not null
    union all
    -- Undated states: evidence only, never deciding.
    select
        {{ cdp.normalise_email('email') }} as email,
        'email' as channel,
        case when has_accepted_email_marketing then 'opt_in' else 'opt_out' end as action,
        'undated state in the customers export' as action_detail,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at,
        'shopify_customers' as source_table,
        source_record_id
    from shopify_customers
    where has_accepted_email_marketing is not null
    union all
    select
        {{ cdp.normalise_email('email') }} as email,
        'email' as channel,
        case when is_email_subscribed then 'opt_in' else 'opt_out' end as action,
        'undated state in the customer directory' as action_detail,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at,
        'square_customers' as source_table,
        source_record_id
    from square_customers
    where is_email_subscribed is not null

),

bounces as (

    select
        {{ cdp.normalise_email('email') }} as email,
        'email' as channel,
        'hard_bounce' as action,
        'cleaned by Mailchimp' as action_detail,
        cleaned_at as occurred_at,
        'mailchimp_members' as source_table,
        source_record_id
    from members
    where member_status = 'cleaned'
    union all
    select
        {{ cdp.normalise_email('email') }} as email,
        'email' as channel,
        'hard_bounce' as action,
        'hard bounce' as action_detail,
        activity_at as occurred_at,
        'mailchimp_email_activity' as source_table,
        source_record_id
    from activities
    where action = 'bounce' and bounce_type = 'hard'

),

sms_actions as (

    select
        customer_id,
        'sms' as channel,
        case when sms_marketing_state = 'subscribed' then 'opt_in' else 'opt_out' end as action,
        case
            when sms_marketing_state = 'unsubscribed' then 'unsubscribed'
            when sms_marketing_opt_in_level = 'confirmed_opt_in' then 'confirmed subscription'
            else 'opt-in'
        end as action_detail,
        sms_marketing_consent_updated_at as occurred_at,
        'shopify_orders' as source_table,
        source_record_id
    from orders
    where sms_marketing_state in ('subscribed', 'unsubscribed')
        and sms_marketing_consent_updated_at is not null
        and customer_id is not null
    union all
    select
        customer_id,
        'sms' as channel,
        case when has_accepted_sms_marketing then 'opt_in' else 'opt_out' end as action,
        'undated state in the customers export' as action_detail,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at,
        'shopify_customers' as source_table,
        source_record_id
    from shopify_customers
    where has_accepted_sms_marketing is not null
        and customer_id is not null

),

email_events as (

    select * from email_actions
    union all
    select * from bounces

),

final as (

    select
        by_email.person_id,
        email_events.email,
        email_events.channel,
        email_events.action,
        email_events.action_detail,
        email_events.occurred_at,
        email_events.source_table,
        email_events.source_record_id
    from email_events
    {{ cdp.person_join('by_email', 'email', 'email_events.email') }}
    where by_email.person_id is not null
    union all
    select
        by_customer.person_id,
        cast(null as {{ dbt.type_string() }}) as email,
        sms_actions.channel,
        sms_actions.action,
        sms_actions.action_detail,
        sms_actions.occurred_at,
        sms_actions.source_table,
        sms_actions.source_record_id
    from sms_actions
    {{ cdp.person_join('by_customer', 'shopify_customer_id', 'sms_actions.customer_id') }}
    where by_customer.person_id is not null

)

select * from final
