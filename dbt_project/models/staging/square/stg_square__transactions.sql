{#- Square payments and refunds, one row per transaction event (natural key: Transaction ID,
    Payment ID, Event Type and the local Date + Time, hashed into source_record_id; a refund
    shares its payment's ids). Local date/time + Square's time-zone name become a UTC timestamp
    through the square_time_zones seed. Money is decimal(18, 2) in `currency`, which Square's
    export does not state: it comes from the `square_currency` var (default USD). Latest load wins. -#}

with

source as (

    select * from {{ source('square', 'transactions') }}

),

time_zones as (

    select * from {{ ref('square_time_zones') }}

),

renamed as (

    select
        {{ natural_key_hash([
            trim_to_null('transaction_id'),
            trim_to_null('payment_id'),
            trim_to_null('event_type'),
            trim_to_null(adapter.quote('date')),
            trim_to_null(adapter.quote('time'))
        ]) }} as source_record_id,
        {{ trim_to_null('transaction_id') }} as transaction_id,
        {{ trim_to_null('payment_id') }} as payment_id,
        {{ cdp.vocabulary_value('event_type') }} as event_type,
        {{ cdp.vocabulary_value('event_type') }} = 'Refund' as is_refund,
        {{ parse_us_datetime(adapter.quote('date'), adapter.quote('time')) }} as transacted_at_local,
        {{ parse_us_date(adapter.quote('date')) }} as transaction_date,
        {{ trim_to_null('time_zone') }} as square_time_zone,
        {{ trim_to_null('location') }} as location_name,
        {{ trim_to_null('customer_id') }} as square_customer_id,
        {{ trim_to_null('customer_name') }} as customer_name,
        {{ trim_to_null('customer_reference_id') }} as customer_reference_id,
        '{{ var("square_currency", "USD") }}' as currency,
        {{ parse_money('gross_sales') }} as gross_sales_amount,
        {{ parse_money('discounts') }} as discount_amount,
        {{ parse_money('service_charges') }} as service_charge_amount,
        {{ parse_money('net_sales') }} as net_sales_amount,
        {{ parse_money('gift_card_sales') }} as gift_card_sales_amount,
        {{ parse_money('tax') }} as tax_amount,
        {{ parse_money('tip') }} as tip_amount,
        {{ parse_money('partial_refunds') }} as partial_refund_amount,
        {{ parse_money('total_collected') }} as total_collected_amount,
        {{ parse_money('card') }} as card_amount,
        {{ parse_money('cash') }} as cash_amount,
        {{ parse_money('square_gift_card') }} as square_gift_card_amount,
        {{ parse_money('other_tender') }} as other_tender_amount,
        {{ parse_money('fees') }} as fee_amount,
        {{ parse_money('net_total') }} as net_total_amount,
        {{ trim_to_null(adapter.quote('source')) }} as payment_source,
        {{ trim_to_null('card_entry_methods') }} as card_entry_methods,
        {{ trim_to_null('card_brand') }} as card_brand,
        {{ trim_to_null('pan_suffix') }} as card_pan_suffix,
        {{ trim_to_null('other_tender_type') }} as other_tender_type,
        {{ trim_to_null('tender_note') }} as tender_note,
        {{ trim_to_null('device_name') }} as device_name,
        {{ trim_to_null('device_nickname') }} as device_nickname,
        {{ trim_to_null('staff_name') }} as staff_name,
        {{ trim_to_null('staff_id') }} as staff_id,
        {{ trim_to_null('dining_option') }} as dining_option,
        {{ trim_to_null('description') }} as description,
        {{ trim_to_null('details') }} as details,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

localized as (

    {{ cdp.square_localized('renamed') }}

),

latest_loads as (

    {{ cdp.latest_load_only('localized') }}

),

final as (

    select
        source_record_id,
        transaction_id,
        payment_id,
        event_type,
        is_refund,
        transacted_at,
        transaction_date,
        square_time_zone,
        iana_time_zone,
        location_name,
        square_customer_id,
        customer_name,
        customer_reference_id,
        currency,
        gross_sales_amount,
        discount_amount,
        service_charge_amount,
        net_sales_amount,
        gift_card_sales_amount,
        tax_amount,
        tip_amount,
        partial_refund_amount,
        total_collected_amount,
        card_amount,
        cash_amount,
        square_gift_card_amount,
        other_tender_amount,
        fee_amount,
        net_total_amount,
        payment_source,
        card_entry_methods,
        card_brand,
        card_pan_suffix,
        other_tender_type,
        tender_note,
        device_name,
        device_nickname,
        staff_name,
        staff_id,
        dining_option,
        description,
        details,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
