{#- Who entered and who left each segment, and when (as_of of the run that saw it): one row
    per stay. A view over marts.segment_membership_history, which every segment's post-hook keeps
    up to date (macros/core/segment_memberships.sql); the pre-hook creates the table on a new
    warehouse so the view always compiles.

    Built after every segment, whose post-hooks write the history: the depends_on lines below
    make dbt (and Dagster's asset graph) order it so. A new segment adds its line here; the
    singular test segment_memberships_depend_on_every_segment fails until it does. -#}

-- depends_on: {{ ref('segment_abandoned_checkout') }}
-- depends_on: {{ ref('segment_high_churn_risk') }}
-- depends_on: {{ ref('segment_in_store_only_shoppers') }}
-- depends_on: {{ ref('segment_inactive_90_days') }}
-- depends_on: {{ ref('segment_subscribers_never_bought') }}
-- depends_on: {{ ref('segment_vip_customers') }}

{{ config(
    materialized='view',
    pre_hook="{{ cdp.create_segment_membership_history(cdp.segment_membership_history_relation()) }}"
) }}

with

history as (

    select * from {{ cdp.segment_membership_history_relation() }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'segment_name', "'|'", 'person_id', "'|'",
            'cast(entered_at as ' ~ dbt.type_string() ~ ')'
        ])) }} as membership_id,
        segment_name,
        person_id,
        entered_at,
        exited_at,
        exited_at is null as is_current
    from history

)

select * from final
