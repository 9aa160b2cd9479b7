{#- Every purchase, online (Shopify orders) and in store (Square payments), in one shape, with
    the person who made it. Net revenue = order amount − refunds, and 0 for cancelled orders. -#}

with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

shopify_refunds as (

    select
        order_id,
        sum(refund_amount) as refunded_amount,
        max(refunded_at) as last_refunded_at
    from {{ ref('stg_shopify__order_refunds') }}
    group by order_id

),

square_transactions as (

    select * from {{ ref('stg_square__transactions') }}

),

online as (

    select
        {{ dbt.concat(["'shopify:'", 'shopify_orders.order_id']) }} as order_key,
        'online' as channel,
        'shopify_orders' as source_table,
        shopify_orders.order_id as source_record_id,
        shopify_orders.order_number,
        coalesce(by_customer.person_id, by_email.person_id, by_customer_email.person_id) as person_id,
        shopify_orders.created_at as ordered_at,
        shopify_orders.currency,
        shopify_orders.total_amount as order_amount,
        coalesce(shopify_refunds.refunded_amount, 0) as refunded_amount,
        shopify_orders.is_cancelled,
        shopify_orders.financial_status as order_status,
        cast(null as {{ dbt.type_string() }}) as location_name
    from shopify_orders
    left join shopify_refunds
        on shopify_orders.order_id = shopify_refunds.order_id
    {{ cdp.person_join('by_customer', 'shopify_customer_id', 'shopify_orders.customer_id') }}
    {{ cdp.person_join('by_email', 'email', cdp.normalise_email('shopify_orders.email')) }}
    {{ cdp.person_join('by_customer_email', 'email', cdp.normalise_email('shopify_orders.customer_email')) }}

),

store_payments as (

    select
        transaction_id,
        min(transacted_at) as transacted_at,
        max(square_customer_id) as square_customer_id,
        max(currency) as currency,
        max(location_name) as location_name,
        sum(total_collected_amount) as collected_amount
    from square_transactions
    where not is_refund
    group by transaction_id

),

store_refunds as (

    select
        transaction_id,
        sum(abs(total_collected_amount)) as refunded_amount
    from square_transactions
    where is_refund
    group by transaction_id

),

store as (

    select
        {{ dbt.concat(["'square:'", 'store_payments.transaction_id']) }} as order_key,
        'store' as channel,
        'square_transactions' as source_table,
        store_payments.transaction_id as source_record_id,
        cast(null as {{ dbt.type_string() }}) as order_number,
        by_customer.person_id,
        store_payments.transacted_at as ordered_at,
        store_payments.currency,
        store_payments.collected_amount as order_amount,
        coalesce(store_refunds.refunded_amount, 0) as refunded_amount,
        false as is_cancelled,
        case when store_refunds.transaction_id is null then 'paid' else 'refunded' end as order_status,
        store_payments.location_name
    from store_payments
    left join store_refunds
        on store_payments.transaction_id = store_refunds.transaction_id
    {{ cdp.person_join('by_customer', 'square_customer_id', 'store_payments.square_customer_id') }}

),

unioned as (

    select * from online
    union all
    select * from store

),

final as (

    select
        *,
        case
            when is_cancelled then cast(0 as decimal(18, 2))
            else cast(order_amount - refunded_amount as decimal(18, 2))
        end as net_revenue_amount
    from unioned

)

select * from final
