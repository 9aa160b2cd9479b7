{#- Fails when the distribution of person sizes moved more than
    var identity_health_max_distribution_shift (total variation distance) since the previous
    run: over-merging shows there first. After a deliberate change (a new source, a new
    rule), raise the bound for one run or accept the shift by re-running. -#}

{#- The asset check Dagster shows on identity_graph_health (dagster-dbt reads meta.dagster.ref). -#}
{{ config(meta={'dagster': {'ref': {'name': 'identity_graph_health'}}}) }}

{%- set buckets = ['share_size_1', 'share_size_2', 'share_size_3_5', 'share_size_6_10', 'share_size_11_50', 'share_size_over_50'] -%}

with

runs as (

    select
        *,
        row_number() over (order by run_started_at desc) as recency
    from {{ ref('identity_graph_health') }}

),

latest as (select * from runs where recency = 1),

previous as (select * from runs where recency = 2),

compared as (

    select
        latest.run_started_at,
        previous.run_started_at as previous_run_started_at,
        0.5 * (
            {%- for bucket in buckets %}
            abs(latest.{{ bucket }} - previous.{{ bucket }}){{ ' +' if not loop.last }}
            {%- endfor %}
        ) as distribution_shift
    from latest
    cross join previous

)

select * from compared
where distribution_shift > {{ var('identity_health_max_distribution_shift') }}
