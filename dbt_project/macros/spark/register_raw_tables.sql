{#- Makes the raw tables exist for the run. DuckDB holds them in the warehouse file, so this does
    nothing there. Spark reads the Parquet mirror that ingestion writes after every load
    (ingestion/parquet_mirror.py): at the start of each run, every source of the project becomes
    an external (unmanaged) Spark table over its folder, `<CDP_PARQUET_DIR>/<schema>/<table>`.
    Re-creating the tables each run picks up added and replaced files and any new column;
    dropping an external table never deletes its files. Called from `on-run-start`. -#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'cdp')()) }}
{%- endmacro %}

{% macro default__register_raw_tables() -%}
{%- endmacro %}

{% macro spark__register_raw_tables() -%}
    {%- if execute -%}
        {%- set root = env_var('CDP_PARQUET_DIR', 'warehouse/parquet') | trim | replace('\\', '/') -%}
        {%- set sources = graph.sources.values() | sort(attribute='unique_id') -%}
        {%- for schema in sources | map(attribute='schema') | unique -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for source in sources -%}
            {%- set relation = source.schema ~ '.' ~ source.identifier -%}
            {%- set location = root.rstrip('/') ~ '/' ~ source.schema ~ '/' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' using parquet location '
                ~ "'" ~ location | replace("'", "\\'") ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
