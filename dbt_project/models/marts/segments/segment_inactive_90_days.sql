{#- Customers with no purchase, online or in store, in the 90 days before as_of: the
    re-engagement audience. -#}

with

profiles as (

    select * from {{ ref('profiles') }}

),

final as (

    select
        person_id,
        last_purchase_at,
        days_since_last_purchase,
        total_orders,
        total_revenue
    from profiles
    where total_orders > 0
        and days_since_last_purchase > 90

)

select * from final
