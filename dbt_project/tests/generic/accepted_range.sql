{#- Fails for every row whose `column_name` lies outside [min_value, max_value] (one bound may
    be left out; `inclusive: false` excludes the bounds themselves). Nulls pass: add not_null
    where a value is required. dbt-utils' accepted_range (Apache-2.0), written here for the
    reason given with unique_combination_of_columns (macros/_macros.yml). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("accepted_range on " ~ column_name ~ ": give min_value, max_value or both") }}
{%- endif %}

select *
from {{ model }}
where
    {%- if min_value is not none %}
    {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
    {%- endif %}
    {%- if min_value is not none and max_value is not none %}
    or
    {%- endif %}
    {%- if max_value is not none %}
    {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
    {%- endif %}

{% endtest %}
