{#- Use the folder's schema name as is (`staging`, `marts`, …) rather than dbt's default
    `<target_schema>_<custom_schema>`, so every tool that reads the warehouse sees stable names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
