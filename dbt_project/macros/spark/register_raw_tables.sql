{#- Makes the tables dbt reads as sources exist for the run. DuckDB holds them in the warehouse
    file, so this does nothing there. Spark reads the Parquet mirror written from the DuckDB file
    before every dbt step (cdp/parquet_mirror.py): each source listed in the mirror's index
    (`<CDP_PARQUET_DIR>/tables.txt`) becomes an external (unmanaged) Spark table over its folder,
    `<CDP_PARQUET_DIR>/<schema>/<table>`. Re-creating them each run picks up added and replaced
    files and new columns; dropping an external table never deletes its files. A source that is
    not mirrored yet (a Python asset has not run) is left out: only the models reading it fail.
    Called from `on-run-start` (dbt_project.yml). -#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'cdp')()) }}
{%- endmacro %}

{% macro default__register_raw_tables() -%}
{%- endmacro %}

{% macro spark__register_raw_tables() -%}
    {%- if execute -%}
        {%- set root = (var('cdp_parquet_dir', env_var('CDP_PARQUET_DIR', flags.PROFILES_DIR ~ '/../warehouse/parquet')) | trim).rstrip('/') -%}
        {%- set index = run_query('select value from text.`' ~ root ~ '/tables.txt`') -%}
        {%- set mirrored = index.columns[0].values() | map('trim') | list -%}
        {%- set sources = [] -%}
        {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- if (source.schema ~ '.' ~ source.identifier) in mirrored -%}
                {%- do sources.append(source) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for schema in sources | map(attribute='schema') | unique -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for source in sources -%}
            {%- set relation = source.schema ~ '.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' using parquet location '
                ~ "'" ~ root ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
