{#- Incremental models on Spark tables that cannot MERGE or DELETE in place.

    A model that keeps itself up to date with `merge` (and a pre-hook deleting rows whose raw row
    is gone) needs a table format with MERGE and DELETE: Delta Lake, Iceberg or Hudi. Open-source
    Spark's own Parquet tables have neither, and a Delta jar cannot be assumed on every cluster
    (nor fetched where only PyPI is reachable). On such a table the model is rebuilt instead:
    cdp.is_incremental_build() is false (macros/staging/incremental.sql: the model selects
    everything and its delete pre-hook does nothing), and `merge` becomes `insert_overwrite` of the whole table: the table a
    `--full-refresh` gives, written in place. Same rows as the incremental run, more work.
    With file_format delta / iceberg / hudi (Databricks, a cluster with Delta), dbt-spark's own
    MERGE runs unchanged. Append-only models (`append`, the Spark default) are not affected. -#}

{#- True when the model being built asks for a MERGE its Spark table format cannot do. -#}
{% macro spark_rebuilds_instead_of_merging() -%}
    {%- set file_format = config.get('file_format', default='parquet') -%}
    {%- set strategy = config.get('incremental_strategy') -%}
    {{ return(
        target.type == 'spark'
        and config.get('materialized') == 'incremental'
        and strategy in ('merge', 'delete+insert')
        and file_format not in ['delta', 'iceberg', 'hudi']
    ) }}
{%- endmacro %}

{#- dbt-spark validates the strategy before it builds; `merge` on a format without MERGE is
    served as `insert_overwrite` of the (complete) result instead of failing. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy in ('merge', 'delete+insert') and file_format not in ['delta', 'iceberg', 'hudi'] -%}
        {{ return('insert_overwrite') }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}
