{#- The lifecycle stage of a profile row, first matching rule wins (thresholds are vars in
    dbt_project.yml; docs/profiles.md has the table):
      churned              a customer whose last purchase is more than lifecycle_churned_after_days ago
      at_risk              a customer whose last purchase is more than lifecycle_at_risk_after_days ago
      vip                  net revenue >= lifecycle_vip_min_revenue or orders >= lifecycle_vip_min_orders
      repeat_customer      2 orders or more
      first_time_customer  1 order
      subscriber           no order, email consent subscribed
      lead                 no order, an email or a phone known
      anonymous            only device / browser identifiers
    Reads the columns total_orders, total_revenue, days_since_last_purchase,
    email_consent_status and is_known. -#}
{% macro lifecycle_stage() -%}
    case
        when total_orders > 0 and days_since_last_purchase > {{ var('lifecycle_churned_after_days') }}
            then 'churned'
        when total_orders > 0 and days_since_last_purchase > {{ var('lifecycle_at_risk_after_days') }}
            then 'at_risk'
        when total_revenue >= {{ var('lifecycle_vip_min_revenue') }}
            or total_orders >= {{ var('lifecycle_vip_min_orders') }}
            then 'vip'
        when total_orders >= 2 then 'repeat_customer'
        when total_orders = 1 then 'first_time_customer'
        when email_consent_status = 'subscribed' then 'subscriber'
        when is_known then 'lead'
        else 'anonymous'
    end
{%- endmacro %}
