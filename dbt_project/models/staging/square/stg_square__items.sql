{#- Square item details, one row per itemization. The export has no line id, so the natural key
    is Transaction ID, Payment ID, Event Type, local Date + Time, Category, Item, Price Point
    Name, SKU, Modifiers Applied plus the occurrence number of identical rows within the file
    (ordered by `_source_row`), hashed into source_record_id. Two identical lines of one sale
    stay two rows; a re-export replaces them line for line. Local date/time + time-zone name →
    UTC via the square_time_zones seed; money is decimal(18, 2) in `currency` (var
    `square_currency`, default USD). Latest load wins. -#}

{%- set line_key = [
    "transaction_id", "payment_id", "event_type", "date_text", "time_text", "item_category",
    "item_name", "price_point_name", "sku", "modifiers_applied"
] -%}

with

source as (

    select * from {{ source('square', 'items') }}

),

time_zones as (

    select * from {{ ref('square_time_zones') }}

),

renamed as (

    select
        {{ trim_to_null('transaction_id') }} as transaction_id,
        {{ trim_to_null('payment_id') }} as payment_id,
        {{ cdp.vocabulary_value('event_type') }} as event_type,
        {{ cdp.vocabulary_value('event_type') }} = 'Refund' as is_refund,
        {{ trim_to_null(adapter.quote('date')) }} as date_text,
        {{ trim_to_null(adapter.quote('time')) }} as time_text,
        {{ parse_us_datetime(adapter.quote('date'), adapter.quote('time')) }} as transacted_at_local,
        {{ parse_us_date(adapter.quote('date')) }} as transaction_date,
        {{ trim_to_null('time_zone') }} as square_time_zone,
        {{ trim_to_null('location') }} as location_name,
        {{ trim_to_null('category') }} as item_category,
        {{ trim_to_null('item') }} as item_name,
        {{ trim_to_null('price_point_name') }} as price_point_name,
        {{ trim_to_null('sku') }} as sku,
        {{ trim_to_null('modifiers_applied') }} as modifiers_applied,
        {{ dbt.safe_cast("replace(" ~ trim_to_null('qty') ~ ", ',', '')", 'decimal(18, 5)') }}
            as quantity,
        {{ trim_to_null('unit') }} as measurement_unit,
        {{ dbt.safe_cast("replace(" ~ trim_to_null(adapter.quote('count')) ~ ", ',', '')", 'decimal(18, 5)') }}
            as unit_count,
        {{ trim_to_null('itemization_type') }} as itemization_type,
        '{{ var("square_currency", "USD") }}' as currency,
        {{ parse_money('gross_sales') }} as gross_sales_amount,
        {{ parse_money('discounts') }} as discount_amount,
        {{ parse_money('net_sales') }} as net_sales_amount,
        {{ parse_money('tax') }} as tax_amount,
        {{ trim_to_null('customer_id') }} as square_customer_id,
        {{ trim_to_null('customer_name') }} as customer_name,
        {{ trim_to_null('customer_reference_id') }} as customer_reference_id,
        {{ trim_to_null('device_name') }} as device_name,
        {{ trim_to_null('dining_option') }} as dining_option,
        {{ trim_to_null('notes') }} as notes,
        {{ trim_to_null('details') }} as details,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

numbered as (

    select
        *,
        row_number() over (
            partition by _source_file, {{ line_key | join(', ') }}
            order by _source_row
        ) as occurrence_in_file
    from renamed

),

keyed as (

    select
        {{ natural_key_hash(line_key + ['occurrence_in_file']) }} as source_record_id,
        *
    from numbered

),

localized as (

    {{ cdp.square_localized('keyed') }}

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
        item_category,
        item_name,
        price_point_name,
        sku,
        modifiers_applied,
        quantity,
        measurement_unit,
        unit_count,
        itemization_type,
        currency,
        gross_sales_amount,
        discount_amount,
        net_sales_amount,
        tax_amount,
        square_customer_id,
        customer_name,
        customer_reference_id,
        device_name,
        dining_option,
        notes,
        details,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
