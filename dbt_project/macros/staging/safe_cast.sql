{#- dbt's own `safe_cast` falls back to a plain `cast` on DuckDB and Spark, which fails the whole
    query on one bad value. Raw exports are text typed by hand, so in this project a value that
    does not parse becomes null instead. The root project's `<adapter>__safe_cast` takes
    precedence over dbt's in `adapter.dispatch('safe_cast', 'dbt')`, so `dbt.safe_cast(...)`
    everywhere in the project picks these up. `try_cast` exists in DuckDB and in Spark >= 3.2. -#}

{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
