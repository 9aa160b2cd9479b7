{#- ISO 8601 text → timestamp (without time zone) holding the UTC wall-clock time.
    `2024-03-05T14:02:11-05:00` → 2024-03-05 19:02:11; `…Z`, `+05:30`, `+0530`, fractional
    seconds all accepted. Text without an offset is taken to be UTC already. Unparseable → null. -#}
{% macro iso_timestamp_to_utc(column) -%}
    {{ return(adapter.dispatch('iso_timestamp_to_utc', 'cdp')(column)) }}
{%- endmacro %}

{#- The offset pattern: a time (hh:mm, optional :ss and fraction), optional space, then Z or ±hh[:mm]. -#}
{% macro _iso_offset_pattern() -%}
    '[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? ?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$'
{%- endmacro %}

{#- DuckDB: casting text with an offset to `timestamp` drops the offset, so cast to
    `timestamptz` (an instant) and read it back in UTC with `timezone('UTC', …)`. Naive text is
    cast to `timestamp` directly so the session time zone never leaks in. -#}
{% macro default__iso_timestamp_to_utc(column) -%}
    case
        when regexp_matches(trim({{ column }}), {{ cdp._iso_offset_pattern() }})
            then timezone('UTC', {{ dbt.safe_cast('trim(' ~ column ~ ')', 'timestamptz') }})
        else {{ dbt.safe_cast('trim(' ~ column ~ ')', dbt.type_timestamp()) }}
    end
{%- endmacro %}

{#- Spark: `cast(... as timestamp)` honours the offset and yields an instant shown in the session
    time zone; `to_utc_timestamp(..., current_timezone())` turns it into the UTC wall-clock time
    whatever the session time zone is (a no-op when the session runs in UTC, as it should). -#}
{% macro spark__iso_timestamp_to_utc(column) -%}
    case
        when trim({{ column }}) rlike {{ cdp._iso_offset_pattern() }}
            then to_utc_timestamp({{ dbt.safe_cast('trim(' ~ column ~ ')', 'timestamp') }}, current_timezone())
        else {{ dbt.safe_cast('trim(' ~ column ~ ')', 'timestamp') }}
    end
{%- endmacro %}
