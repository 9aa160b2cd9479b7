{#- md5 of several columns joined with `|` (null written as a marker, so null and '' differ):
    the `source_record_id` of records whose natural key spans more than one column. -#}
{% macro natural_key_hash(columns) -%}
    {{ return(adapter.dispatch('natural_key_hash', 'cdp')(columns)) }}
{%- endmacro %}

{% macro default__natural_key_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ dbt.safe_cast(column, dbt.type_string()) ~ ", '<null>')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
