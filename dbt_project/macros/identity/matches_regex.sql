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

{#- `expression` with every match of the regular expression `pattern` (a SQL string literal,
    RE2 syntax) replaced by `replacement` (a SQL string literal; `\1` refers to a group). -#}
{% macro regex_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'cdp')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{#- Spark replaces every match without a flag, unescapes backslashes in string literals (so
    they are doubled) and writes groups as `$1` in the replacement. -#}
{% macro spark__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ cdp.java_regex(pattern | replace('\\', '\\\\')) }}, {{ replacement | replace('\\', '$') }})
{%- endmacro %}
