{#- Purchase traits per person who bought: orders, net revenue, refunds and average order value,
    online and in store and in total; first and last purchase; favourite category (most spend).
    Cancelled orders are not orders: they count nowhere (their refunds neither). A store sale
    refunded in full still counts as a visit with zero revenue. -#}

with

orders as (

    select * from {{ ref('int_orders') }}
    where person_id is not null
        and not is_cancelled

),

order_lines as (

    select * from {{ ref('int_order_lines') }}
    where person_id is not null

),

totals as (

    select
        person_id,
        sum(case when channel = 'online' then 1 else 0 end) as online_orders,
        sum(case when channel = 'online' then net_revenue_amount else 0 end) as online_revenue,
        sum(case when channel = 'online' then refunded_amount else 0 end) as online_refunds,
        sum(case when channel = 'store' then 1 else 0 end) as store_orders,
        sum(case when channel = 'store' then net_revenue_amount else 0 end) as store_revenue,
        sum(case when channel = 'store' then refunded_amount else 0 end) as store_refunds,
        min(ordered_at) as first_purchase_at,
        max(ordered_at) as last_purchase_at,
        max(case when channel = 'online' then ordered_at end) as last_online_purchase_at,
        max(case when channel = 'store' then ordered_at end) as last_store_purchase_at,
        max(currency) as currency
    from orders
    group by person_id

),

category_spend as (

    select
        person_id,
        category,
        sum(line_amount) as category_amount
    from order_lines
    group by person_id, category

),

favourite_category as (

    select
        person_id,
        category,
        row_number() over (
            partition by person_id order by category_amount desc, category
        ) as category_rank
    from category_spend

),

final as (

    select
        totals.person_id,
        totals.online_orders,
        cast(totals.online_revenue as decimal(18, 2)) as online_revenue,
        cast(totals.online_refunds as decimal(18, 2)) as online_refunds,
        cast(case when totals.online_orders > 0
            then {{ cdp.divide_to_decimal('totals.online_revenue', 'totals.online_orders') }} end as decimal(18, 2)) as online_average_order_value,
        totals.store_orders,
        cast(totals.store_revenue as decimal(18, 2)) as store_revenue,
        cast(totals.store_refunds as decimal(18, 2)) as store_refunds,
        cast(case when totals.store_orders > 0
            then {{ cdp.divide_to_decimal('totals.store_revenue', 'totals.store_orders') }} end as decimal(18, 2)) as store_average_order_value,
        totals.online_orders + totals.store_orders as total_orders,
        cast(totals.online_revenue + totals.store_revenue as decimal(18, 2)) as total_revenue,
        cast(totals.online_refunds + totals.store_refunds as decimal(18, 2)) as total_refunds,
        cast({{ cdp.divide_to_decimal('(totals.online_revenue + totals.store_revenue)',
            '(totals.online_orders + totals.store_orders)') }} as decimal(18, 2)) as average_order_value,
        totals.currency,
        totals.first_purchase_at,
        totals.last_purchase_at,
        totals.last_online_purchase_at,
        totals.last_store_purchase_at,
        favourite_category.category as favourite_category
    from totals
    left join favourite_category
        on totals.person_id = favourite_category.person_id
        and favourite_category.category_rank = 1

)

select * from final
