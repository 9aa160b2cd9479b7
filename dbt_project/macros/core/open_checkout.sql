{#- True when a checkout (a row of int_checkouts, columns prefixed by `alias.`) was abandoned
    as of `as_of`: started at least `abandoned_checkout_after_hours` before as_of (exact time, not
    hour boundaries), not completed, and the person has placed no order (any channel) since it
    started. `within_hours` (optional) bounds how old it may be: the abandoned-cart trigger
    looks at the last 24 hours only. -#}
{% macro is_open_checkout(alias, within_hours=none) -%}
    (
        not {{ alias }}.has_order
        and ({{ alias }}.next_order_at is null or {{ alias }}.next_order_at > {{ cdp.as_of() }})
        and {{ alias }}.started_at <= {{ dbt.dateadd('hour', -1 * var('abandoned_checkout_after_hours'), cdp.as_of()) }}
        {%- if within_hours is not none %}
        and {{ alias }}.started_at >= {{ dbt.dateadd('hour', -1 * within_hours, cdp.as_of()) }}
        {%- endif %}
    )
{%- endmacro %}
