{{ config(materialized=cdp.copy_free_materialization()) }}

{#- Each identifier with its stable person id: what every other model joins on to find the
    person behind a record (see macros/core/person_join.sql). A view: a copy of
    int_person_id_assignments would cost a full write of millions of rows for nothing. -#}

with

assignments as (

    select * from {{ ref('int_person_id_assignments') }}

),

final as (

    select
        identifier_type,
        identifier_value,
        person_id,
        first_seen_at,
        last_seen_at
    from assignments

)

select * from final
