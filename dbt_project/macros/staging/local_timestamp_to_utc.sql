{#- A wall-clock timestamp in an IANA time zone (`America/New_York`) → the same instant as a UTC
    wall-clock timestamp. Daylight saving is applied from the time-zone database, so 12:00 in
    New York is 17:00 UTC in January and 16:00 UTC in July. Null time zone → null. -#}
{% macro local_timestamp_to_utc(timestamp_column, iana_time_zone) -%}
    {{ return(adapter.dispatch('local_timestamp_to_utc', 'cdp')(timestamp_column, iana_time_zone)) }}
{%- endmacro %}

{#- DuckDB (ICU): timezone(zone, timestamp) reads the wall clock in `zone` as an instant;
    timezone('UTC', instant) gives it back as UTC wall-clock time. -#}
{% macro default__local_timestamp_to_utc(timestamp_column, iana_time_zone) -%}
    timezone('UTC', timezone({{ iana_time_zone }}, {{ timestamp_column }}))
{%- endmacro %}

{% macro spark__local_timestamp_to_utc(timestamp_column, iana_time_zone) -%}
    to_utc_timestamp({{ timestamp_column }}, {{ iana_time_zone }})
{%- endmacro %}
