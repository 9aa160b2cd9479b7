{#- The purchase history of every customer summarised as the BG/NBD and Gamma-Gamma models
    read it (Fader, Hardie & Lee 2005, "Counting your customers the easy way" and "RFM and
    CLV"): purchases are counted in days (several orders on one UTC day are one purchase), and
      frequency     x   repeat purchase days (purchase days − 1),
      recency       t_x weeks from the first to the last purchase day,
      customer age  T   weeks from the first purchase day to as_of,
      monetary_value    mean net revenue of the repeat purchase days (the first is left out,
                        as the Gamma-Gamma model is fitted on repeat transactions).
    Only orders placed by as_of count, so a back-dated as_of reproduces the past. Read by the
    `predictive/customer_predictions` Dagster asset (cdp/predictive/). -#}

with

orders as (

    select * from {{ ref('int_orders') }}
    where person_id is not null
        and not is_cancelled
        and ordered_at <= {{ cdp.as_of() }}

),

purchase_days as (

    select
        person_id,
        cast(ordered_at as date) as purchase_date,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        count(*) as orders,
        sum(net_revenue_amount) as day_revenue
    from orders
    group by person_id, cast(ordered_at as date)

),

numbered as (

    select
        *,
        row_number() over (partition by person_id order by purchase_date) as day_number
    from purchase_days

),

customers as (

    select
        person_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        min(first_ordered_at) as first_purchase_at,
        max(last_ordered_at) as last_purchase_at,
        count(*) as purchase_days,
        sum(orders) as orders,
        sum(day_revenue) as total_revenue,
        sum(case when day_number = 1 then day_revenue end) as first_purchase_value,
        avg(case when day_number > 1 then day_revenue end) as monetary_value
    from numbered
    group by person_id

),

final as (

    select
        person_id,
        first_purchase_at,
        last_purchase_at,
        orders,
        purchase_days,
        purchase_days - 1 as frequency,
        {{ dbt.datediff('first_purchase_date', 'last_purchase_date', 'day') }} / 7.0 as recency_weeks,
        {{ dbt.datediff('first_purchase_date', 'cast(' ~ cdp.as_of() ~ ' as date)', 'day') }} / 7.0 as t_weeks,
        cast(monetary_value as decimal(18, 2)) as monetary_value,
        cast(first_purchase_value as decimal(18, 2)) as first_purchase_value,
        cast(total_revenue as decimal(18, 2)) as total_revenue,
        {{ cdp.as_of() }} as as_of_at
    from customers

)

select * from final
