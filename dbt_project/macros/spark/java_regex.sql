{#- A regular expression written for DuckDB (RE2) as one for Spark (java.util.regex), given as a
    SQL string literal. The two agree on everything the project uses except POSIX bracket
    classes: RE2 reads `[^@[:space:]]` as "not @, not whitespace", Java as a nested class of the
    characters `:`, `s`, `p`, `a`, `c`, `e` (so `ann@example.com` would not be plausible). They are
    rewritten to Java's ASCII classes, which match the same characters. Backslashes are doubled
    because Spark unescapes string literals. -#}
{% macro java_regex(pattern) -%}
    {%- set posix_classes = {
        '[:space:]': '\\\\s',
        '[:digit:]': '\\\\d',
        '[:alpha:]': '\\\\p{Alpha}',
        '[:alnum:]': '\\\\p{Alnum}',
        '[:upper:]': '\\\\p{Upper}',
        '[:lower:]': '\\\\p{Lower}',
        '[:punct:]': '\\\\p{Punct}',
        '[:xdigit:]': '\\\\p{XDigit}'
    } -%}
    {%- set translated = namespace(pattern=pattern) -%}
    {%- for posix, java in posix_classes.items() -%}
        {%- set translated.pattern = translated.pattern | replace(posix, java) -%}
    {%- endfor -%}
    {{ translated.pattern }}
{%- endmacro %}
