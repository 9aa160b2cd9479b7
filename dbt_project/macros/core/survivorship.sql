{#- Survivorship configuration, read in one place. `survivorship_source_priority` (a list of
    source tables, best first) applies to every profile field; `survivorship_field_priority`
    (a mapping field -> list) overrides it for one field group: name, email, phone, address.
    Sources not listed rank after the listed ones. -#}

{% macro survivorship_sources(field) -%}
    {%- set overrides = var('survivorship_field_priority', {}) or {} -%}
    {%- if field in overrides -%}
        {{ return(overrides[field]) }}
    {%- else -%}
        {{ return(var('survivorship_source_priority')) }}
    {%- endif -%}
{%- endmacro %}

{#- 1 for the best source of `field`, 2 for the next …; unlisted sources last. -#}
{% macro survivorship_source_rank(field, source_column='source_table') -%}
    {%- set sources = cdp.survivorship_sources(field) -%}
    case {{ source_column }}
        {%- for source_table in sources %}
        when '{{ source_table }}' then {{ loop.index }}
        {%- endfor %}
        else {{ sources | length + 1 }}
    end
{%- endmacro %}
