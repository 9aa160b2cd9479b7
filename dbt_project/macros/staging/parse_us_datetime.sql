{#- Square's separate `Date` (MM/DD/YYYY or YYYY-MM-DD) and `Time` (`HH:MM:SS`, 24-hour; a 12-hour
    `h:MM:SS AM/PM` is also understood) → a timestamp in the same local wall-clock time.
    Convert it with `local_timestamp_to_utc`. Unparseable → null. -#}
{% macro parse_us_datetime(date_column, time_column) -%}
    {{ return(adapter.dispatch('parse_us_datetime', 'cdp')(date_column, time_column)) }}
{%- endmacro %}

{% macro default__parse_us_datetime(date_column, time_column) -%}
    {%- set time_text = 'upper(trim(' ~ time_column ~ '))' -%}
    {%- set clock = "trim(replace(replace(" ~ time_text ~ ", 'AM', ''), 'PM', ''))" -%}
    {%- set hour = dbt.safe_cast(dbt.split_part(clock, "':'", 1), dbt.type_int()) -%}
    {%- set local_timestamp = dbt.safe_cast(
        dbt.concat([dbt.safe_cast(cdp.parse_us_date(date_column), dbt.type_string()), "' '", clock]),
        dbt.type_timestamp()
    ) -%}
    case
        when {{ time_text }} like '%PM' and {{ hour }} < 12
            then {{ dbt.dateadd('hour', 12, local_timestamp) }}
        when {{ time_text }} like '%AM' and {{ hour }} = 12
            then {{ dbt.dateadd('hour', -12, local_timestamp) }}
        else {{ local_timestamp }}
    end
{%- endmacro %}
