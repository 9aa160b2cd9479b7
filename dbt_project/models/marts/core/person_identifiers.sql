{#- The identity contract other tools read: every distinct normalised identifier and the
    person it belongs to (stable across runs, see int_person_id_assignments). Joins to
    profiles on person_id. -#}

with

identifiers as (

    select * from {{ ref('int_person_identifiers') }}

),

final as (

    select
        identifier_type,
        identifier_value,
        person_id,
        first_seen_at,
        last_seen_at
    from identifiers

)

select * from final
