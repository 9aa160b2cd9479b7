{#- The relation a model wrote in an earlier run, or none. Stateful identity models read their
    own previous output this way (a ref would be a cycle): person ids survive across runs and
    full refreshes, and merges and splits are detected against what downstream tools hold. -#}
{% macro previous_state(model_name, schema_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=target.database,
        schema=generate_schema_name(schema_name, model),
        identifier=model_name) -%}
    {{ return(relation) }}
{%- endmacro %}
