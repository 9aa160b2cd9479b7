{#- The highest-value customers: lifecycle stage `vip` (net revenue or order count above the
    thresholds in dbt_project.yml) whose last purchase is recent enough not to be at risk. -#}

with

profiles as (

    select * from {{ ref('profiles') }}

),

final as (

    select
        person_id,
        total_orders,
        total_revenue,
        last_purchase_at
    from profiles
    where lifecycle_stage = 'vip'

)

select * from final
