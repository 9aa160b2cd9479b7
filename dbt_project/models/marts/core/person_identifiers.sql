{{ config(materialized=cdp.copy_free_materialization()) }}

{#- The identity contract other tools read: every distinct normalised identifier and the
    person it belongs to (stable across runs, see int_person_id_assignments). Joins to
    profiles on person_id. A view on identity_person_registry, which holds the same rows: one
    write of the identity map per run instead of two. -#}

with

registry as (

    select * from {{ ref('identity_person_registry') }}

),

final as (

    select
        identifier_type,
        identifier_value,
        person_id,
        first_seen_at,
        last_seen_at
    from registry

)

select * from final
