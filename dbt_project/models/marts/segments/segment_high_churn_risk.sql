{#- Customers the predictive model thinks are slipping away: churn_risk_score (100 × (1 −
    probability still active), cdp/predictive/) at or above `high_churn_risk_min_score`,
    not yet churned by the lifecycle rule (those are past saving), most valuable first. -#}

with

profiles as (

    select * from {{ ref('profiles') }}

),

predictions as (

    select * from {{ ref('int_person_predictions') }}

),

final as (

    select
        profiles.person_id,
        predictions.churn_risk_score,
        predictions.probability_alive,
        predictions.expected_value_365d,
        profiles.total_orders,
        profiles.total_revenue,
        profiles.last_purchase_at,
        profiles.lifecycle_stage
    from profiles
    inner join predictions
        on profiles.person_id = predictions.person_id
    where predictions.churn_risk_score >= {{ var('high_churn_risk_min_score') }}
        and profiles.lifecycle_stage <> 'churned'

)

select * from final
