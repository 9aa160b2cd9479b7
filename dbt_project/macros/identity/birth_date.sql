{#- A birthday as the tools write it, read into ISO text. Square accepts MM-DD, YYYY-MM-DD and
    MM-DD-YYYY (also with slashes); Mailchimp's Birthday merge field is MM/DD, no year. A
    year before 1900 is a placeholder for "unknown" (0000, Apple's 1604): no year. -#}

{#- 'YYYY-MM-DD' when the year is known, else null. -#}
{% macro birth_date_iso(expression) -%}
    {%- set value = "replace(trim(" ~ expression ~ "), '/', '-')" -%}
    case
        when {{ cdp.matches_regex(value, "'^(19|20)[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}$'") }}
            then {{ cdp.birth_date_text(dbt.split_part(value, "'-'", 1), dbt.split_part(value, "'-'", 2), dbt.split_part(value, "'-'", 3)) }}
        when {{ cdp.matches_regex(value, "'^[0-9]{1,2}-[0-9]{1,2}-(19|20)[0-9]{2}$'") }}
            then {{ cdp.birth_date_text(dbt.split_part(value, "'-'", 3), dbt.split_part(value, "'-'", 1), dbt.split_part(value, "'-'", 2)) }}
    end
{%- endmacro %}

{#- 'MM-DD' whenever month and day can be read (with or without a year), else null. -#}
{% macro birth_month_day(expression) -%}
    {%- set value = "replace(trim(" ~ expression ~ "), '/', '-')" -%}
    case
        when {{ cdp.matches_regex(value, "'^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$'") }}
            then {{ cdp.month_day_text(dbt.split_part(value, "'-'", 2), dbt.split_part(value, "'-'", 3)) }}
        when {{ cdp.matches_regex(value, "'^[0-9]{1,2}-[0-9]{1,2}(-[0-9]{4})?$'") }}
            then {{ cdp.month_day_text(dbt.split_part(value, "'-'", 1), dbt.split_part(value, "'-'", 2)) }}
    end
{%- endmacro %}

{% macro month_day_text(month, day) -%}
    case
        when cast({{ month }} as {{ dbt.type_int() }}) between 1 and 12
            and cast({{ day }} as {{ dbt.type_int() }}) between 1 and 31
            then {{ dbt.concat([cdp.two_digits(month), "'-'", cdp.two_digits(day)]) }}
    end
{%- endmacro %}

{% macro birth_date_text(year, month, day) -%}
    case
        when cast({{ month }} as {{ dbt.type_int() }}) between 1 and 12
            and cast({{ day }} as {{ dbt.type_int() }}) between 1 and 31
            then {{ dbt.concat([year, "'-'", cdp.two_digits(month), "'-'", cdp.two_digits(day)]) }}
    end
{%- endmacro %}

{% macro two_digits(expression) -%}
    {{ dbt.right(dbt.concat(["'0'", expression]), 2) }}
{%- endmacro %}
