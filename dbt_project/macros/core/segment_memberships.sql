{#- Segment membership history. Every model with `meta.segment` runs record_segment_membership()
    as a post-hook (set for the whole segments folder in dbt_project.yml), right after its table
    is rebuilt: people no longer in the segment get exited_at = as_of, people newly in it get a
    new row with entered_at = as_of. So the history is written whether dbt runs alone or from
    Dagster, and a segment that fails to build records nothing. The table lives beside the
    segments (marts.segment_membership_history) and is not a dbt model: `dbt build
    --full-refresh` never drops it (drop it by hand to start the history again).
    marts.segment_memberships is the documented view over it. Why not a dbt snapshot:
    docs/profiles.md, "Membership history" (dbt-spark snapshots need Delta, Iceberg or Hudi;
    a snapshot stamps the time it ran, not as_of). -#}

{% macro segment_membership_history_relation(schema=none) -%}
    {{ return(api.Relation.create(
        database=this.database,
        schema=schema or this.schema,
        identifier='segment_membership_history',
        type='table'
    )) }}
{%- endmacro %}

{% macro create_segment_membership_history(history) -%}
    {{ return(adapter.dispatch('create_segment_membership_history', 'cdp')(history)) }}
{%- endmacro %}

{% macro default__create_segment_membership_history(history) -%}
    create table if not exists {{ history }} (
        segment_name {{ dbt.type_string() }},
        person_id {{ dbt.type_string() }},
        entered_at {{ dbt.type_timestamp() }},
        exited_at {{ dbt.type_timestamp() }}
    )
{%- endmacro %}

{#- Spark: the session's default table format (Parquet on open-source Spark, Delta on
    Databricks), partitioned by segment: spark__segment_membership_statements (below)
    rewrites one segment's partition, with no UPDATE, and segments built in parallel never
    write the same partition. -#}
{% macro spark__create_segment_membership_history(history) -%}
    create table if not exists {{ history }} (
        person_id string,
        entered_at timestamp,
        exited_at timestamp,
        segment_name string
    )
    partitioned by (segment_name)
{%- endmacro %}

{#- The statements that bring the history of one segment up to date with its current members
    (`members`: a relation or subquery with a person_id column). Exits first, then entries, so a
    person who leaves and comes back in later runs gets one row per stay. -#}
{% macro segment_membership_statements(history, members, segment_name, as_of_expression) -%}
    {{ return(adapter.dispatch('segment_membership_statements', 'cdp')(history, members, segment_name, as_of_expression)) }}
{%- endmacro %}

{% macro default__segment_membership_statements(history, members, segment_name, as_of_expression) -%}
    {%- set exits -%}
        update {{ history }}
        set exited_at = {{ as_of_expression }}
        where segment_name = '{{ segment_name }}'
            and exited_at is null
            and person_id not in (
                select cast(person_id as {{ dbt.type_string() }}) from {{ members }}
                where person_id is not null
            )
    {%- endset -%}
    {%- set entries -%}
        insert into {{ history }} (segment_name, person_id, entered_at, exited_at)
        select distinct
            '{{ segment_name }}',
            cast(current_members.person_id as {{ dbt.type_string() }}),
            {{ as_of_expression }},
            cast(null as {{ dbt.type_timestamp() }})
        from {{ members }} as current_members
        where current_members.person_id is not null
            and not exists (
                select 1 from {{ history }} as open_stays
                where open_stays.segment_name = '{{ segment_name }}'
                    and open_stays.exited_at is null
                    and open_stays.person_id = cast(current_members.person_id as {{ dbt.type_string() }})
            )
    {%- endset -%}
    {{ return([cdp.create_segment_membership_history(history), exits, entries]) }}
{%- endmacro %}

{#- Spark: Spark's own tables (Parquet) take no UPDATE, and Delta Lake cannot be assumed on
    every cluster. So the new state of the segment's partition of the history is computed into
    a work table (exits: open stays of people no longer in the segment get exited_at = as_of;
    entries: a new stay for each member without an open one) and written back with INSERT
    OVERWRITE of that partition only. Same rows as the UPDATE + INSERT of the default body, on any table format;
    segments built by parallel threads touch different partitions and work tables. -#}
{% macro spark__segment_membership_statements(history, members, segment_name, as_of_expression) -%}
    {%- set next_state = api.Relation.create(
        database=history.database, schema=history.schema,
        identifier=history.identifier ~ '__next_' ~ segment_name, type='table') -%}
    {%- set compute -%}
        create table {{ next_state }} as
        with

        current_members as (

            select distinct cast(person_id as {{ dbt.type_string() }}) as person_id
            from {{ members }}
            where person_id is not null

        ),

        stays as (

            select person_id, entered_at, exited_at
            from {{ history }}
            where segment_name = '{{ segment_name }}'

        ),

        updated as (

            select
                stays.person_id,
                stays.entered_at,
                case
                    when stays.exited_at is null and current_members.person_id is null
                        then {{ as_of_expression }}
                    else stays.exited_at
                end as exited_at
            from stays
            left join current_members
                on stays.person_id = current_members.person_id

        ),

        entries as (

            select
                current_members.person_id,
                {{ as_of_expression }} as entered_at,
                cast(null as {{ dbt.type_timestamp() }}) as exited_at
            from current_members
            left join stays as open_stays
                on current_members.person_id = open_stays.person_id
                and open_stays.exited_at is null
            where open_stays.person_id is null

        )

        select * from updated
        union all
        select * from entries
    {%- endset -%}
    {{ return([
        cdp.create_segment_membership_history(history),
        'drop table if exists ' ~ next_state,
        compute,
        'insert overwrite table ' ~ history ~ " partition (segment_name = '" ~ segment_name ~ "') "
            ~ 'select person_id, entered_at, exited_at from ' ~ next_state,
        'drop table if exists ' ~ next_state
    ]) }}
{%- endmacro %}

{#- The post-hook. Runs the statements itself and returns no SQL. -#}
{% macro record_segment_membership() -%}
    {%- set meta = model.config.get('meta', {}) or {} -%}
    {%- set segment = meta.get('segment') or (model.get('meta', {}) or {}).get('segment') -%}
    {%- if execute and segment and segment.get('name') -%}
        {%- set history = cdp.segment_membership_history_relation() -%}
        {%- for statement in cdp.segment_membership_statements(history, this, segment['name'], cdp.as_of()) -%}
            {%- do run_query(statement) -%}
        {%- endfor -%}
        {{ log('segment ' ~ segment['name'] ~ ': membership history updated', info=false) }}
    {%- endif -%}
{%- endmacro %}

{#- For tests and one-off back-fills: `dbt run-operation apply_segment_membership --args
    '{segment_name: vip_customers, members: marts.segment_vip_customers, as_of: "2025-06-30 12:00:00", schema: marts}'`. -#}
{% macro apply_segment_membership(segment_name, members, as_of, schema='marts') -%}
    {%- set history = api.Relation.create(database=target.get('database'), schema=schema, identifier='segment_membership_history') -%}
    {%- set as_of_expression = "cast('" ~ as_of ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- for statement in cdp.segment_membership_statements(history, members, segment_name, as_of_expression) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
{%- endmacro %}
