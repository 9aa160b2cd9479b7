{#- Purchased items online and in store, with their category, for category preferences. -#}

with

shopify_lines as (

    select * from {{ ref('stg_shopify__order_line_items') }}

),

products as (

    select product_id, product_type from {{ ref('stg_shopify__products') }}

),

square_items as (

    select * from {{ ref('stg_square__items') }}

),

orders as (

    select order_key, person_id, channel, is_cancelled from {{ ref('int_orders') }}

),

lines as (

    select
        {{ dbt.concat(["'shopify:'", 'shopify_lines.order_id']) }} as order_key,
        coalesce(products.product_type, shopify_lines.product_type, 'Uncategorised') as category,
        shopify_lines.product_title as item_name,
        shopify_lines.quantity,
        shopify_lines.line_amount
    from shopify_lines
    left join products
        on shopify_lines.product_id = products.product_id
    union all
    select
        {{ dbt.concat(["'square:'", 'transaction_id']) }} as order_key,
        coalesce(item_category, 'Uncategorised') as category,
        item_name,
        quantity,
        net_sales_amount as line_amount
    from square_items
    where not is_refund

),

final as (

    select
        orders.person_id,
        orders.channel,
        lines.order_key,
        lines.category,
        lines.item_name,
        lines.quantity,
        lines.line_amount
    from lines
    inner join orders
        on lines.order_key = orders.order_key
    where not orders.is_cancelled

)

select * from final
