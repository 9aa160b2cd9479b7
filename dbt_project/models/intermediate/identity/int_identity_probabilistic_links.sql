{{ config(materialized='table') }}

{#- Every pair of person-like records that Splink scored (identity_matching.record_pairs), with
    the people their anchors belong to after deterministic resolution and the guards' verdict.
    A pair becomes a link between two people only when it reaches
    `identity_probabilistic_threshold`, both anchors belong to a person (no guard refused
    them), no never_link pair rule stands between the two records, their first names name
    one person by the same rule as the name guard (`first_names_agree`, listed nicknames,
    swapped given and family names), and something besides the names agrees: the other
    comparisons weigh more than nothing (`non_name_weight` > 0). Two namesakes, one of them a
    till profile with a name only, score high on a name alone. Per-person limits are checked on the people the links
    would make (int_identity_probabilistic_merges). -#}

{%- set threshold = var('identity_probabilistic_threshold') -%}
{%- set name_match = var('identity_name_match') -%}

with

pairs as (

    select * from {{ source('identity_matching', 'record_pairs') }}

),

records as (

    select * from {{ ref('int_identity_candidate_records') }}

),

resolved as (

    select identifier_type, identifier_value, component_id
    from {{ ref('int_identity_resolved_nodes') }}

),

name_equivalents as (

    -- Each pair in one order, so the join below is an equi-join (an `or` of both directions
    -- cannot be hashed: 11 s instead of 3 s at a million records).
    select distinct
        least(name, equivalent_name) as name_a,
        greatest(name, equivalent_name) as name_b
    from {{ ref('identity_name_equivalents') }}

),

never_link_pairs as (

    -- Both directions: a rule names the pair once.
    select identifier_type, identifier_value, other_identifier_type, other_identifier_value
    from {{ ref('identity_never_link') }}
    where other_identifier_type is not null and other_identifier_type <> ''
    union all
    select other_identifier_type, other_identifier_value, identifier_type, identifier_value
    from {{ ref('identity_never_link') }}
    where other_identifier_type is not null and other_identifier_type <> ''

),

record_identifiers as (

    select record_key, anchor_type as identifier_type, anchor_value as identifier_value
    from records
    union all
    select record_key, 'email' as identifier_type, email as identifier_value
    from records
    where email is not null
    union all
    select record_key, 'phone' as identifier_type, phone as identifier_value
    from records
    where phone is not null

),

pair_records as (

    select
        pairs.record_key_l,
        pairs.record_key_r,
        left_record.source_table as source_table_l,
        left_record.source_record_id as source_record_id_l,
        left_record.anchor_type as anchor_type_l,
        left_record.anchor_value as anchor_value_l,
        right_record.source_table as source_table_r,
        right_record.source_record_id as source_record_id_r,
        right_record.anchor_type as anchor_type_r,
        right_record.anchor_value as anchor_value_r,
        coalesce(left_record.first_name, '') as first_name_l,
        coalesce(right_record.first_name, '') as first_name_r,
        coalesce(left_record.last_name, '') as last_name_l,
        coalesce(right_record.last_name, '') as last_name_r,
        pairs.match_weight,
        pairs.match_probability,
        pairs.non_name_weight,
        pairs.comparison_levels,
        pairs.model_id
    from pairs
    inner join records as left_record
        on pairs.record_key_l = left_record.record_key
    inner join records as right_record
        on pairs.record_key_r = right_record.record_key

),

forbidden_pairs as (

    -- The two records carry the two sides of a never_link pair rule.
    select distinct
        pair_records.record_key_l,
        pair_records.record_key_r
    from pair_records
    inner join record_identifiers as left_identifiers
        on pair_records.record_key_l = left_identifiers.record_key
    inner join record_identifiers as right_identifiers
        on pair_records.record_key_r = right_identifiers.record_key
    inner join never_link_pairs
        on left_identifiers.identifier_type = never_link_pairs.identifier_type
        and left_identifiers.identifier_value = never_link_pairs.identifier_value
        and right_identifiers.identifier_type = never_link_pairs.other_identifier_type
        and right_identifiers.identifier_value = never_link_pairs.other_identifier_value

),

nicknames as (

    select distinct
        pair_records.record_key_l,
        pair_records.record_key_r
    from pair_records
    inner join name_equivalents
        on least(pair_records.first_name_l, pair_records.first_name_r) = name_equivalents.name_a
        and greatest(pair_records.first_name_l, pair_records.first_name_r) = name_equivalents.name_b

),

judged as (

    select
        pair_records.*,
        left_person.component_id as component_id_l,
        right_person.component_id as component_id_r,
        forbidden_pairs.record_key_l is not null as is_never_linked,
        (
            pair_records.first_name_l = '' or pair_records.first_name_r = ''
            {%- if name_match.nicknames %}
            or nicknames.record_key_l is not null
            {%- endif %}
            or {{ cdp.first_names_agree('pair_records.first_name_l', 'pair_records.first_name_r') }}
            or (pair_records.last_name_l <> '' and pair_records.last_name_r <> ''
                and {{ cdp.spellings_agree('pair_records.first_name_l', 'pair_records.last_name_r') }}
                and {{ cdp.spellings_agree('pair_records.last_name_l', 'pair_records.first_name_r') }})
        ) as is_same_first_name
    from pair_records
    left join resolved as left_person
        on pair_records.anchor_type_l = left_person.identifier_type
        and pair_records.anchor_value_l = left_person.identifier_value
    left join resolved as right_person
        on pair_records.anchor_type_r = right_person.identifier_type
        and pair_records.anchor_value_r = right_person.identifier_value
    left join forbidden_pairs
        on pair_records.record_key_l = forbidden_pairs.record_key_l
        and pair_records.record_key_r = forbidden_pairs.record_key_r
    left join nicknames
        on pair_records.record_key_l = nicknames.record_key_l
        and pair_records.record_key_r = nicknames.record_key_r

),

verdicts as (

    -- The guards' verdict whatever the threshold (benchmarks draw the precision / recall curve
    -- from it): null when every guard lets the pair through.
    select
        *,
        case
            when component_id_l is null or component_id_r is null then 'refused: identifier refused by a guard'
            when is_never_linked then 'refused: never_link rule'
            when not non_name_weight > 0 then 'refused: only the names agree'
            when not is_same_first_name
                then {{ dbt.concat(["'refused: first names disagree ('", 'first_name_l', "' / '", 'first_name_r', "')'"]) }}
        end as guard_refusal
    from judged

),

final as (

    select
        record_key_l,
        record_key_r,
        source_table_l,
        source_record_id_l,
        anchor_type_l,
        anchor_value_l,
        source_table_r,
        source_record_id_r,
        anchor_type_r,
        anchor_value_r,
        component_id_l,
        component_id_r,
        match_weight,
        match_probability,
        non_name_weight,
        comparison_levels,
        model_id,
        guard_refusal,
        case
            when match_probability < {{ threshold }} then 'below threshold'
            when guard_refusal is not null then guard_refusal
            when component_id_l = component_id_r then 'already one person'
            else 'link'
        end as decision
    from verdicts

)

select * from final
