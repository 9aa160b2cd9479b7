{#- Storefront checkouts (by checkout token) with whether an order followed: the basis of the
    abandoned-checkout trigger. `has_order` means this checkout was completed (or an order carries
    its token); `next_order_at` is the person's first order, by any channel, placed after the
    checkout started, so a shopper who came back and bought another way is not chased. -#}

with

events as (

    select * from {{ ref('stg_shopify__web_events') }}
    where checkout_token is not null

),

orders as (

    select distinct checkout_token from {{ ref('stg_shopify__orders') }}
    where checkout_token is not null

),

person_orders as (

    select person_id, ordered_at from {{ ref('int_orders') }}
    where person_id is not null
        and not is_cancelled

),

checkouts as (

    select
        checkout_token,
        min(case when event_name = 'checkout_started' then event_at end) as started_at,
        max(case when event_name = 'checkout_completed' then event_at end) as completed_at,
        max(anonymous_id) as anonymous_id,
        max(customer_id) as customer_id,
        max({{ cdp.normalise_email('checkout_email') }}) as checkout_email,
        max(checkout_total_amount) as checkout_total_amount,
        max(checkout_currency) as checkout_currency
    from events
    group by checkout_token

),

with_person as (

    select
        checkouts.checkout_token,
        coalesce(by_customer.person_id, by_email.person_id, by_browser.person_id) as person_id,
        checkouts.started_at,
        checkouts.completed_at,
        checkouts.checkout_email,
        checkouts.checkout_total_amount,
        checkouts.checkout_currency,
        checkouts.completed_at is not null or orders.checkout_token is not null as has_order
    from checkouts
    left join orders
        on checkouts.checkout_token = orders.checkout_token
    {{ cdp.person_join('by_customer', 'shopify_customer_id', 'checkouts.customer_id') }}
    {{ cdp.person_join('by_email', 'email', 'checkouts.checkout_email') }}
    {{ cdp.person_join('by_browser', 'anonymous_id', 'checkouts.anonymous_id') }}
    where checkouts.started_at is not null

),

final as (

    select
        with_person.checkout_token,
        with_person.person_id,
        with_person.started_at,
        with_person.completed_at,
        with_person.checkout_email,
        with_person.checkout_total_amount,
        with_person.checkout_currency,
        with_person.has_order,
        min(person_orders.ordered_at) as next_order_at
    from with_person
    left join person_orders
        on with_person.person_id = person_orders.person_id
        and with_person.started_at <= person_orders.ordered_at
    group by
        with_person.checkout_token,
        with_person.person_id,
        with_person.started_at,
        with_person.completed_at,
        with_person.checkout_email,
        with_person.checkout_total_amount,
        with_person.checkout_currency,
        with_person.has_order

)

select * from final
