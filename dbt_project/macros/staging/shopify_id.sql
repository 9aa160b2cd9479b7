{#- Shopify ids arrive as numbers (REST Admin API, admin CSV exports with their leading
    apostrophe) or as GraphQL global ids (`gid://shopify/Order/5520000000`, from GraphQL Admin
    API bulk operations and the Web Pixels API). Both become the numeric id as text, so an
    order, customer, line item, product or variant joins whichever API delivered it. -#}
{% macro shopify_id(column) -%}
    {{ return(adapter.dispatch('shopify_id', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__shopify_id(column) -%}
    case
        when {{ trim_to_null(column) }} like 'gid://%'
            then {{ trim_to_null(dbt.split_part(dbt.split_part(trim_to_null(column), "'/'", 5), "'?'", 1)) }}
        else {{ strip_leading_apostrophe(column) }}
    end
{%- endmacro %}
