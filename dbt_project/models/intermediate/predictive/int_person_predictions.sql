{#- Predictive traits per customer, written by the `predictive/customer_predictions` Dagster
    asset (cdp/predictive/: MBG/NBD or BG/NBD + Gamma-Gamma fitted on int_purchase_summary),
    typed and renamed for the marts. -#}

with

predictions as (

    select * from {{ source('predictive', 'customer_predictions') }}

),

final as (

    select
        cast(person_id as {{ dbt.type_string() }}) as person_id,
        cast(probability_alive as {{ dbt.type_float() }}) as probability_alive,
        cast(churn_risk_score as {{ dbt.type_int() }}) as churn_risk_score,
        cast(expected_purchases_90d as {{ dbt.type_float() }}) as expected_purchases_90d,
        cast(expected_purchases_365d as {{ dbt.type_float() }}) as expected_purchases_365d,
        cast(expected_average_order_value as decimal(18, 2)) as expected_average_order_value,
        cast(expected_value_90d as decimal(18, 2)) as expected_value_90d,
        cast(expected_value_365d as decimal(18, 2)) as expected_value_365d,
        cast(model_name as {{ dbt.type_string() }}) as prediction_model,
        cast(as_of_at as {{ dbt.type_timestamp() }}) as predicted_as_of_at
    from predictions

)

select * from final
