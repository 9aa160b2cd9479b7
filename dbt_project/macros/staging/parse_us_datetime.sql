{#- Square's separate `Date` (MM/DD/YYYY) and `Time` (HH:MM:SS) → a timestamp in the same
    (local) wall-clock time. Convert it with `local_timestamp_to_utc`. -#}
{% macro parse_us_datetime(date_column, time_column) -%}
    {{ return(adapter.dispatch('parse_us_datetime', 'cdp')(date_column, time_column)) }}
{%- endmacro %}

{% macro default__parse_us_datetime(date_column, time_column) -%}
    {%- set datetime_text = dbt.concat([
        dbt.safe_cast(cdp.parse_us_date(date_column), dbt.type_string()),
        "' '",
        'trim(' ~ time_column ~ ')'
    ]) -%}
    {{ dbt.safe_cast(datetime_text, dbt.type_timestamp()) }}
{%- endmacro %}
