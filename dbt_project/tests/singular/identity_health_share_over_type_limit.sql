{#- Fails when more than var identity_health_max_share_over of people have more than
    var identity_health_identifiers_per_type identifiers of one type. -#}

{#- The asset check Dagster shows on identity_graph_health (dagster-dbt reads meta.dagster.ref). -#}
{{ config(meta={'dagster': {'ref': {'name': 'identity_graph_health'}}}) }}

select run_started_at, share_over_type_limit
from {{ ref('identity_graph_health') }}
where run_started_at = (select max(run_started_at) from {{ ref('identity_graph_health') }})
    and share_over_type_limit > {{ var('identity_health_max_share_over') }}
