{#- People who started a checkout in the 24 hours before as_of, at least
    `abandoned_checkout_after_hours` ago, did not complete it and have not ordered since (by any
    channel): the abandoned-cart trigger. -#}

with

checkouts as (

    select * from {{ ref('int_checkouts') }}

),

abandoned as (

    select
        checkouts.person_id,
        checkouts.started_at,
        checkouts.checkout_total_amount,
        checkouts.checkout_currency,
        row_number() over (
            partition by checkouts.person_id
            order by checkouts.started_at desc, checkouts.checkout_token
        ) as recency
    from checkouts
    where checkouts.person_id is not null
        and {{ cdp.is_open_checkout('checkouts', within_hours=24) }}

),

final as (

    select
        person_id,
        started_at as checkout_started_at,
        checkout_total_amount,
        checkout_currency
    from abandoned
    where recency = 1

)

select * from final
