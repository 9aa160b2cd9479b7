{#- Shopify order lines, one row per line item (natural key: line item id). Prices are in the
    parent order's currency (stg_shopify__orders.currency); the raw table does not repeat it.
    Latest load wins. -#}

with

source as (

    select * from {{ source('shopify', 'order_line_items') }}

),

renamed as (

    select
        {{ shopify_id('id') }} as source_record_id,
        {{ shopify_id('id') }} as order_line_item_id,
        {{ shopify_id('order_id') }} as order_id,
        {{ shopify_id('product_id') }} as product_id,
        {{ shopify_id('variant_id') }} as product_variant_id,
        {{ trim_to_null('sku') }} as sku,
        {{ trim_to_null('title') }} as product_title,
        {{ trim_to_null('vendor') }} as vendor,
        {{ trim_to_null('product_type') }} as product_type,
        {{ dbt.safe_cast(trim_to_null('quantity'), dbt.type_int()) }} as quantity,
        {{ parse_money('price') }} as unit_price_amount,
        cast(
            {{ dbt.safe_cast(trim_to_null('quantity'), dbt.type_int()) }} * {{ parse_money('price') }}
            as decimal(18, 2)
        ) as line_amount,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

latest_loads as (

    {{ cdp.latest_load_only('renamed') }}

),

final as (

    select
        source_record_id,
        order_line_item_id,
        order_id,
        product_id,
        product_variant_id,
        sku,
        product_title,
        vendor,
        product_type,
        quantity,
        unit_price_amount,
        line_amount,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
