{#- Shopify's CSV exports prefix ids, phone numbers and zip codes with an apostrophe
    (`'7614304534787`, `'+14155550123`) so spreadsheets keep them as text. Trims, removes the
    leading apostrophe(s) and turns an empty result into null. Phones are then keyed by
    `phone_lookup_key` (identifier hygiene) to join `raw.phone_numbers.raw_phone`.
    `trim(leading ... from ...)` is standard SQL: DuckDB, Spark and Postgres all accept it. -#}
{% macro strip_leading_apostrophe(column) -%}
    {{ return(adapter.dispatch('strip_leading_apostrophe', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__strip_leading_apostrophe(column) -%}
    nullif(trim(leading '''' from trim({{ column }})), '')
{%- endmacro %}
