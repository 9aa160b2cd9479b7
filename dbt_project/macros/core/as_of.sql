{#- The moment "now" means for recency rules (last 24 hours, 90 days inactive, RFM), as a UTC
    timestamp: the `as_of` var when set (tests and back-fills pin it), else the current time. -#}
{% macro as_of() -%}
    {%- if var('as_of', '') -%}
        cast('{{ var("as_of") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ return(adapter.dispatch('utc_now', 'cdp')()) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__utc_now() -%}
    cast(timezone('UTC', current_timestamp) as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Spark runs with spark.sql.session.timeZone=UTC (see profiles.yml), so its clock is UTC. -#}
{% macro spark__utc_now() -%}
    current_timestamp()
{%- endmacro %}
