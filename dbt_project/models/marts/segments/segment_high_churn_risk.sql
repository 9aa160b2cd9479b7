{#- Customers the predictive model thinks are slipping away: churn_risk_score (100 × (1 −
    probability still active), cdp/predictive/) at or above `high_churn_risk_min_score`,
    not yet churned by the lifecycle rule (those are past saving), most valuable first. -#}

with

profiles as (

    select * from {{ ref('profiles') }}

),

final as (

    select
        person_id,
        churn_risk_score,
        probability_alive,
        expected_value_365d,
        total_orders,
        total_revenue,
        last_purchase_at,
        lifecycle_stage
    from profiles
    where churn_risk_score >= {{ var('high_churn_risk_min_score') }}
        and lifecycle_stage <> 'churned'

)

select * from final
