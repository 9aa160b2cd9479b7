{{ config(materialized='incremental', unique_key='run_started_at', full_refresh=false) }}

{#- One row per run describing the identity graph: how many people, how big the largest, how
    people are spread over sizes. Kept run after run so the health tests can compare with the
    previous run (over-merging shows first as a shift towards big people). -#}

{%- set per_type = var('identity_health_identifiers_per_type') -%}

with

identifiers as (

    select * from {{ ref('int_person_identifiers') }}

),

people as (

    select
        person_id,
        count(*) as size
    from identifiers
    group by person_id

),

people_over_type_limit as (

    -- grouped per type, one row per person: distinct and group by on purpose
    select distinct person_id  -- noqa: AM01
    from identifiers
    group by person_id, identifier_type
    having count(*) > {{ per_type }}

),

final as (

    select
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as run_started_at,
        count(*) as people,
        sum(size) as identifiers,
        max(size) as largest_person_size,
        cast((select count(*) from people_over_type_limit) as double) / count(*) as share_over_type_limit,
        cast(sum(case when size = 1 then 1 else 0 end) as double) / count(*) as share_size_1,
        cast(sum(case when size = 2 then 1 else 0 end) as double) / count(*) as share_size_2,
        cast(sum(case when size between 3 and 5 then 1 else 0 end) as double) / count(*) as share_size_3_5,
        cast(sum(case when size between 6 and 10 then 1 else 0 end) as double) / count(*) as share_size_6_10,
        cast(sum(case when size between 11 and 50 then 1 else 0 end) as double) / count(*) as share_size_11_50,
        cast(sum(case when size > 50 then 1 else 0 end) as double) / count(*) as share_size_over_50
    from people

)

select * from final
