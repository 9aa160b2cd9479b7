{#- Customers who have bought in store but never online: the audience for an invitation to the
    online shop. -#}

with

profiles as (

    select * from {{ ref('profiles') }}

),

final as (

    select
        person_id,
        store_orders,
        store_revenue,
        last_store_purchase_at,
        favourite_category
    from profiles
    where store_orders > 0
        and online_orders = 0

)

select * from final
