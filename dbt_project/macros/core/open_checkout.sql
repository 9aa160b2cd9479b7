{#- True when a checkout (a row of int_checkouts, columns prefixed by `alias.`) was abandoned
    as of `as_of`: started at least `abandoned_checkout_after_hours` before as_of, not completed,
    and the person has placed no order (any channel) since it started. `within_hours` (optional)
    bounds how old it may be: the abandoned-cart trigger looks at the last 24 hours only. -#}
{% macro is_open_checkout(alias, within_hours=none) -%}
    (
        not {{ alias }}.has_order
        and ({{ alias }}.next_order_at is null or {{ alias }}.next_order_at > {{ cdp.as_of() }})
        and {{ dbt.datediff(alias ~ '.started_at', cdp.as_of(), 'hour') }} >= {{ var('abandoned_checkout_after_hours') }}
        {%- if within_hours is not none %}
        and {{ dbt.datediff(alias ~ '.started_at', cdp.as_of(), 'hour') }} <= {{ within_hours }}
        {%- endif %}
    )
{%- endmacro %}
