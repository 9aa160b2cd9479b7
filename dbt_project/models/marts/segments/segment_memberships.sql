{#- Who entered and who left each segment, and when (as_of of the run that saw it): one row
    per stay. A view over marts.segment_membership_history, which every segment's post-hook keeps
    up to date (macros/core/segment_memberships.sql); the pre-hook creates the table on a new
    warehouse so the view always compiles. -#}

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
