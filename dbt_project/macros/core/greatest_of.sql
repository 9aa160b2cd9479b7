{#- The latest of several nullable timestamps (SQL's greatest() returns null on any null in
    some engines and ignores nulls in others, so nulls are replaced explicitly). -#}
{% macro greatest_of(expressions) -%}
    {%- set floor = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" -%}
    nullif(
        greatest(
            {%- for expression in expressions %}
            coalesce({{ expression }}, {{ floor }}){{ "," if not loop.last }}
            {%- endfor %}
        ),
        {{ floor }}
    )
{%- endmacro %}
