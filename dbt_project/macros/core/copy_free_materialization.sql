{#- 'view' for models that only reshape one table (a copy would cost a full write of millions of
    rows), except on Spark: the local Spark session's results reach DuckDB (exports,
    `cdp explain`) as the Parquet files of its tables (orchestration/defs/parquet_mirror.py),
    and a view has no files. -#}
{% macro copy_free_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'view') }}
{%- endmacro %}
