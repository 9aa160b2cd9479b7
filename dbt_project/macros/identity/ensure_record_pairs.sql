{#- identity_matching.record_pairs is written by the probabilistic matcher, a Python step
    between two dbt steps (orchestration/defs/matching.py). When dbt runs on its own (`dbt
    build` from dbt_project/, a test building part of the project) that step has not run: an
    empty table stands in, so the identity models build with exact links only. Created only
    when missing; the columns are those cdp/matching/scoring.py writes. On Spark the table
    comes from the Parquet mirror like every other source (register_raw_tables). Called from
    `on-run-start` (dbt_project.yml). -#}
{% macro ensure_record_pairs() -%}
    {{ return(adapter.dispatch('ensure_record_pairs', 'cdp')()) }}
{%- endmacro %}

{% macro default__ensure_record_pairs() -%}
    {%- if execute -%}
        {%- do run_query('create schema if not exists identity_matching') -%}
        {%- do run_query(
            'create table if not exists identity_matching.record_pairs ('
            ~ 'record_key_l ' ~ dbt.type_string() ~ ', record_key_r ' ~ dbt.type_string()
            ~ ', match_weight ' ~ dbt.type_float() ~ ', match_probability ' ~ dbt.type_float()
            ~ ', non_name_weight ' ~ dbt.type_float() ~ ', comparison_levels ' ~ dbt.type_string()
            ~ ', model_id ' ~ dbt.type_string() ~ ', scored_at ' ~ dbt.type_timestamp() ~ ')'
        ) -%}
    {%- endif -%}
{%- endmacro %}

{% macro spark__ensure_record_pairs() -%}
{%- endmacro %}
