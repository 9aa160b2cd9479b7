{#- Shopify products, one row per product (natural key: product id); the raw table has one row
    per variant, so the product's fields are taken from its latest-loaded variant row. The
    product type is the category that line items lack. -#}

with

source as (

    select * from {{ source('shopify', 'products') }}

),

renamed as (

    select
        {{ trim_to_null('id') }} as source_record_id,
        {{ trim_to_null('id') }} as product_id,
        {{ trim_to_null('title') }} as product_title,
        {{ trim_to_null('handle') }} as product_handle,
        {{ trim_to_null('vendor') }} as vendor,
        {{ trim_to_null('product_type') }} as product_type,
        {{ cdp.vocabulary_value('status') }} as product_status,
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
        product_id,
        product_title,
        product_handle,
        vendor,
        product_type,
        product_status,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
