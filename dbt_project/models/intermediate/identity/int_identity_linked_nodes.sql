{{ config(materialized='view') }}

{#- Every identifier that belongs to a person, with its final person: the deterministic one
    (int_identity_resolved_nodes) joined by the probabilistic links that every guard let through
    (int_identity_probabilistic_merges). A view: read once, by int_person_id_assignments. -#}

with

resolved as (

    select * from {{ ref('int_identity_resolved_nodes') }}

),

joined_people as (

    select component_id, final_component_id
    from {{ ref('int_identity_probabilistic_merges') }}

),

final as (

    select
        resolved.node_id,
        resolved.node_key,
        resolved.identifier_type,
        resolved.identifier_value,
        resolved.first_seen_at,
        resolved.last_seen_at,
        resolved.component_id as exact_component_id,
        coalesce(joined_people.final_component_id, resolved.component_id) as component_id
    from resolved
    left join joined_people
        on resolved.component_id = joined_people.component_id

)

select * from final
