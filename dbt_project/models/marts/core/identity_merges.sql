{{ config(materialized='incremental', unique_key='event_id', full_refresh=false, on_schema_change='append_new_columns') }}

{#- Every merge and split of people, run after run (never rebuilt, so the history survives a
    full refresh): old person id, new person id, how they were matched (exact or
    probabilistic), when, why. A CRM merges its contacts from it. -#}

with

events as (

    select * from {{ ref('int_identity_events') }}

),

final as (

    select
        event_id,
        event_type,
        old_person_id,
        new_person_id,
        match_type,
        occurred_at,
        reason
    from events

)

select * from final
