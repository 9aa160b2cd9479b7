{#- RFM scores of every customer (one purchase or more), each 1–5 by quintile of the customer
    base at `as_of`:
      recency   days from the last purchase to as_of (fewer days = higher score),
      frequency orders online and in store,
      monetary  net revenue.
    A score is 1 + floor(5 × share of customers strictly worse), so equal values share a score
    (the lower one: with most customers on one order, they all score frequency 1) and the best
    quintile scores 5. rfm_cell concatenates the three ('545'). -#}

with

purchases as (

    select * from {{ ref('int_person_purchases') }}
    where total_orders > 0

),

measured as (

    select
        person_id,
        {{ dbt.datediff('last_purchase_at', cdp.as_of(), 'day') }} as recency_days,
        total_orders as frequency_orders,
        total_revenue as monetary_amount
    from purchases

),

ranked as (

    select
        person_id,
        recency_days,
        frequency_orders,
        monetary_amount,
        -- rank() counts the customers strictly worse (+1): the larger, the better the customer.
        rank() over (order by recency_days desc) - 1 as recency_worse,
        rank() over (order by frequency_orders) - 1 as frequency_worse,
        rank() over (order by monetary_amount) - 1 as monetary_worse,
        count(*) over () as customers
    from measured

),

scored as (

    select
        person_id,
        recency_days,
        frequency_orders,
        monetary_amount,
        cast(1 + floor(5.0 * recency_worse / customers) as integer) as recency_score,
        cast(1 + floor(5.0 * frequency_worse / customers) as integer) as frequency_score,
        cast(1 + floor(5.0 * monetary_worse / customers) as integer) as monetary_score
    from ranked

),

final as (

    select
        *,
        {{ dbt.concat([
            'cast(recency_score as ' ~ dbt.type_string() ~ ')',
            'cast(frequency_score as ' ~ dbt.type_string() ~ ')',
            'cast(monetary_score as ' ~ dbt.type_string() ~ ')'
        ]) }} as rfm_cell
    from scored

)

select * from final
