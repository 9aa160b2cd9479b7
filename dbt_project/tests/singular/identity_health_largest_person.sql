{#- Fails when this run's largest person holds more identifiers than
    var identity_health_max_person_size: a sign that a shared identifier glued people. -#}

{#- The asset check Dagster shows on identity_graph_health (dagster-dbt reads meta.dagster.ref). -#}
{{ config(meta={'dagster': {'ref': {'name': 'identity_graph_health'}}}) }}

select run_started_at, largest_person_size
from {{ ref('identity_graph_health') }}
where run_started_at = (select max(run_started_at) from {{ ref('identity_graph_health') }})
    and largest_person_size > {{ var('identity_health_max_person_size') }}
