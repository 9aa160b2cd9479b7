{#- True when `expression` matches the regular expression `pattern` (a SQL string literal). -#}
{% macro matches_regex(expression, pattern) -%}
    {{ return(adapter.dispatch('matches_regex', 'cdp')(expression, pattern)) }}
{%- endmacro %}

{% macro default__matches_regex(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__matches_regex(expression, pattern) -%}
    ({{ expression }} rlike {{ cdp.java_regex(pattern) }})
{%- endmacro %}
