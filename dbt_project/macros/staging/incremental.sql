{#- The incremental staging models (stg_shopify__web_events, stg_mailchimp__email_activities,
    docs/ingestion.md) call these instead of dbt's is_incremental(), so the Spark exception below
    applies to them alone and dbt's own is_incremental() stays untouched project-wide. -#}

{#- True when this run only adds to the existing table: dbt's is_incremental(), except on Spark
    for a model whose table format cannot MERGE or DELETE in place (open-source Spark's Parquet):
    that model is rebuilt in full instead (spark_rebuilds_instead_of_merging,
    macros/spark/incremental.sql). -#}
{% macro is_incremental_build() -%}
    {{ return(adapter.dispatch('is_incremental_build', 'cdp')()) }}
{%- endmacro %}

{% macro default__is_incremental_build() -%}
    {#- unqualified, so a unit test's `overrides: macros: is_incremental: ...` reaches it -#}
    {{ return(is_incremental()) }}
{%- endmacro %}

{% macro spark__is_incremental_build() -%}
    {{ return(is_incremental() and not cdp.spark_rebuilds_instead_of_merging()) }}
{%- endmacro %}

{#- Pre-hook of the incremental staging models: before an incremental run, removes the rows
    whose raw row (same file, row and load time) is gone from `raw_relation` (a corrected file
    replaced it, a forgotten person was erased). A full build has nothing to remove. -#}
{% macro delete_rows_missing_from_source(raw_relation) -%}
    {%- if cdp.is_incremental_build() -%}
        delete from {{ this }}
        where not exists (
            select 1
            from {{ raw_relation }} as raw_rows
            where raw_rows._source_file = {{ this }}._source_file
                and raw_rows._source_row = {{ this }}._source_row
                and raw_rows._loaded_at = {{ this }}._loaded_at
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
