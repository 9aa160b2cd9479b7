{#- People who started a checkout in the 24 hours before as_of, at least
    `abandoned_checkout_after_hours` ago, and have not ordered since. -#}

with

checkouts as (

    select * from {{ ref('int_checkouts') }}

),

abandoned as (

    select
        person_id,
        max(started_at) as checkout_started_at,
        max(checkout_total_amount) as checkout_total_amount
    from checkouts
    where not has_order
        and person_id is not null
        and {{ dbt.datediff('started_at', cdp.as_of(), 'hour') }} between {{ var('abandoned_checkout_after_hours') }} and 24
    group by person_id

),

final as (

    select
        abandoned.person_id,
        abandoned.checkout_started_at,
        abandoned.checkout_total_amount
    from abandoned

)

select * from final
