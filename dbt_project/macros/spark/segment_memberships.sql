{#- Spark body of segment_membership_statements (macros/core/segment_memberships.sql). Spark's
    own tables (Parquet) take no UPDATE, and Delta Lake cannot be assumed on every cluster. So
    the new state of the segment's partition of the history is computed into a work table
    (exits: open stays of people no longer in the segment get exited_at = as_of; entries: a new
    stay for each member without an open one) and written back with INSERT OVERWRITE of that
    partition only. Same rows as the UPDATE + INSERT of the default body, on any table format;
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
