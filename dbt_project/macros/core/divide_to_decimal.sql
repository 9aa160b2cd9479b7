{#- numerator / denominator as decimal(precision, scale), the same on every engine: DuckDB's
    result. DuckDB divides decimals in double precision and rounds the scaled double half away
    from zero; Spark divides decimals exactly, and also turns a double into a decimal through
    its shortest decimal string. Either way a quotient whose exact value ends in 5 at the next
    digit could come out a cent apart (321.09 / 2: DuckDB 160.54, from 160.544999…; Spark
    160.55). The Spark body repeats DuckDB's arithmetic: the quotient in double, scaled, rounded
    to an integer, then shifted back exactly. -#}
{% macro divide_to_decimal(numerator, denominator, scale=2, precision=18) -%}
    {{ return(adapter.dispatch('divide_to_decimal', 'cdp')(numerator, denominator, scale, precision)) }}
{%- endmacro %}

{% macro default__divide_to_decimal(numerator, denominator, scale, precision) -%}
    cast({{ numerator }} / {{ denominator }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro spark__divide_to_decimal(numerator, denominator, scale, precision) -%}
    cast(
        cast(round(cast({{ numerator }} as double) / {{ denominator }} * {{ 10 ** scale }}) as decimal(38, 0))
        / {{ 10 ** scale }}
        as decimal({{ precision }}, {{ scale }})
    )
{%- endmacro %}
