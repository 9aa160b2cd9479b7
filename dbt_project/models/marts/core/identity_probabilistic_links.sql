{#- Every pair of person-like records that the probabilistic matcher scored, what became of it
    and the people it concerns now: `link` (it joined two people), `already one person`,
    `below threshold`, or `refused: <guard>` — the identity guards, including the per-person
    limits checked on the person the link would have made. With Splink's comparison levels and
    weights, so a data steward can judge a link without rerunning anything (`cdp explain`). -#}

with

links as (

    select * from {{ ref('int_identity_probabilistic_links') }}

),

joined_people as (

    select * from {{ ref('int_identity_probabilistic_merges') }}

),

people as (

    select identifier_type, identifier_value, person_id from {{ ref('int_person_id_assignments') }}

),

final as (

    select
        links.record_key_l,
        links.record_key_r,
        links.source_table_l,
        links.source_record_id_l,
        links.source_table_r,
        links.source_record_id_r,
        links.anchor_type_l,
        links.anchor_value_l,
        links.anchor_type_r,
        links.anchor_value_r,
        person_l.person_id as person_id_l,
        person_r.person_id as person_id_r,
        links.match_weight,
        links.match_probability,
        links.comparison_levels,
        links.model_id,
        case
            when links.decision = 'link' and joined_people.limit_details is not null
                then {{ dbt.concat(["'refused: per-person limit ('", 'joined_people.limit_details', "')'"]) }}
            else links.decision
        end as decision
    from links
    left join joined_people
        on links.component_id_l = joined_people.component_id
    left join people as person_l
        on links.anchor_type_l = person_l.identifier_type
        and links.anchor_value_l = person_l.identifier_value
    left join people as person_r
        on links.anchor_type_r = person_r.identifier_type
        and links.anchor_value_r = person_r.identifier_value

)

select * from final
