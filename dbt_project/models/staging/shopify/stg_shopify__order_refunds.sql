{#- Shopify refunds, one row per refund (natural key: refund id). `refund_amount` is the sum of
    the refund's successful refund transactions (summed by the loader), in the parent order's
    currency. Latest load wins. -#}

with

source as (

    select * from {{ source('shopify', 'order_refunds') }}

),

renamed as (

    select
        {{ shopify_id('refund_id') }} as source_record_id,
        {{ shopify_id('refund_id') }} as refund_id,
        {{ shopify_id('order_id') }} as order_id,
        {{ iso_timestamp_to_utc('created_at') }} as refunded_at,
        {{ parse_money('amount') }} as refund_amount,
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
        refund_id,
        order_id,
        refunded_at,
        refund_amount,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
