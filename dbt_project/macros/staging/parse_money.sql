{#- Currency text → decimal(18, 2). Accepts plain decimals (`199.00`), currency symbols and
    thousands separators (`$1,234.50`, `€12.00`), a minus sign anywhere (`-$5.00`, `$-5.00`) and
    accounting parentheses (`($5.00)`). The decimal separator must be a dot. Blank → null;
    text with no digits → null. -#}
{% macro parse_money(column) -%}
    {{ return(adapter.dispatch('parse_money', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__parse_money(column) -%}
    {%- set digits = "regexp_replace(" ~ column ~ ", '[^0-9.]', '', 'g')" -%}
    cast(
        case
            when {{ column }} like '%-%' or {{ column }} like '%(%'
                then -1 * {{ dbt.safe_cast(digits, 'decimal(18, 2)') }}
            else {{ dbt.safe_cast(digits, 'decimal(18, 2)') }}
        end
        as decimal(18, 2)
    )
{%- endmacro %}

{#- Spark's regexp_replace replaces every match and takes no flags argument. -#}
{% macro spark__parse_money(column) -%}
    {%- set digits = "regexp_replace(" ~ column ~ ", '[^0-9.]', '')" -%}
    cast(
        case
            when {{ column }} like '%-%' or {{ column }} like '%(%'
                then -1 * {{ dbt.safe_cast(digits, 'decimal(18, 2)') }}
            else {{ dbt.safe_cast(digits, 'decimal(18, 2)') }}
        end
        as decimal(18, 2)
    )
{%- endmacro %}
