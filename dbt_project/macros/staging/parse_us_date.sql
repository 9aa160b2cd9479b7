{#- US `MM/DD/YYYY` text (leading zeros optional: `3/5/2024`) → date. ISO `YYYY-MM-DD` (what
    Square's transaction and item exports may write in `Date`) is accepted too. Built from
    split_part, lpad and a cast of `YYYY-MM-DD`, which every engine reads the same way.
    Impossible dates, other shapes and blanks → null. -#}
{% macro parse_us_date(column) -%}
    {{ return(adapter.dispatch('parse_us_date', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__parse_us_date(column) -%}
    {%- set value = 'trim(' ~ column ~ ')' -%}
    {%- set iso_text = dbt.concat([
        dbt.split_part(value, "'/'", 3),
        "'-'",
        'lpad(' ~ dbt.split_part(value, "'/'", 1) ~ ", 2, '0')",
        "'-'",
        'lpad(' ~ dbt.split_part(value, "'/'", 2) ~ ", 2, '0')"
    ]) -%}
    case
        when {{ value }} like '%/%/%'
            then {{ dbt.safe_cast(iso_text, 'date') }}
        when {{ value }} like '____-__-__'
            then {{ dbt.safe_cast(value, 'date') }}
    end
{%- endmacro %}
