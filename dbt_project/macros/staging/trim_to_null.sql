{#- Trimmed text, with empty and blank strings turned into null. -#}
{% macro trim_to_null(column) -%}
    {{ return(adapter.dispatch('trim_to_null', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__trim_to_null(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
