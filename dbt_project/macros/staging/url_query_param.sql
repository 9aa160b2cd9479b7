{#- The value of query parameter `name` in a URL (absolute or a path like `/?a=1`), percent- and
    plus-decoded; null when the parameter is absent or empty. `name` is a literal parameter name
    (letters, digits, `_`), matched case-sensitively; the first occurrence wins. -#}
{% macro url_query_param(url, name) -%}
    {{ return(adapter.dispatch('url_query_param', 'cdp')(url, name)) }}
{%- endmacro %}

{% macro _url_query_param_raw(url, name) -%}
    regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1)
{%- endmacro %}

{#- DuckDB: url_decode leaves `+` alone and returns malformed escapes as they are. -#}
{% macro default__url_query_param(url, name) -%}
    nullif(url_decode(replace({{ cdp._url_query_param_raw(url, name) }}, '+', '%20')), '')
{%- endmacro %}

{#- Spark (>= 3.4): url_decode decodes `+` too but raises on a malformed escape such as `%zz`,
    so such values are returned undecoded. -#}
{% macro spark__url_query_param(url, name) -%}
    {%- set value = cdp._url_query_param_raw(url, name) -%}
    nullif(
        case
            when {{ value }} rlike '%(?![0-9A-Fa-f]{2})' then {{ value }}
            else url_decode({{ value }})
        end,
        ''
    )
{%- endmacro %}
