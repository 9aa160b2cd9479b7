{#- Every purchase online and in store, one row per order, with its person. -#}

with

orders as (

    select * from {{ ref('int_orders') }}

),

final as (

    select
        order_key,
        channel,
        source_table,
        source_record_id,
        order_number,
        person_id,
        ordered_at,
        currency,
        order_amount,
        refunded_amount,
        net_revenue_amount,
        is_cancelled,
        order_status,
        location_name
    from orders

)

select * from final
