{#- The person id of every identifier as of this run: the state the next run keeps ids
    stable against (int_person_id_assignments reads it back), and the table behind the
    person_identifiers contract. -#}

-- Built only after this run's merges and splits were detected against the previous state:
-- depends_on: {{ ref('int_identity_events') }}

with

assignments as (

    select * from {{ ref('int_person_id_assignments') }}

),

final as (

    select
        identifier_type,
        identifier_value,
        person_id,
        person_first_seen_at,
        first_seen_at,
        last_seen_at
    from assignments

)

select * from final
