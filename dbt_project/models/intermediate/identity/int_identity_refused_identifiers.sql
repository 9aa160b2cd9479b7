{#- Identifiers that may not link records, with the guard that refused them: shared
    identifiers (seen with identifiers of more people than `identity_shared_identifier_limits`
    allows) and the analyst's `identity_never_link` rules for single identifiers. They stay
    out of the identity graph. (Identifiers whose records name different people are judged
    later, like weak identifiers: `int_identity_name_conflicts`, `int_identity_weak_refusals`.)

    People, not identifiers, are counted: a shop counter's phone typed into the profiles of many
    customers is shared, but a customer with four duplicate Square profiles (one person, one
    name, typos and nicknames included) is not. An identifier's usual first name is the one most
    of its records carry; another identifier seen with it counts as the usual person when its
    record names that person (`first_names_agree` or a listed nickname), and as a person of
    its own otherwise (another name, or no name to tell). -#}

{%- set limits = var('identity_shared_identifier_limits') -%}

{%- set limited_others = [] -%}
{%- for by_other in limits.values() -%}
    {%- for other_type in by_other -%}
        {%- if other_type not in limited_others -%}{%- do limited_others.append(other_type) -%}{%- endif -%}
    {%- endfor -%}
{%- endfor %}

with

-- Two filtered reads rather than one shared CTE: a CTE used twice is materialised whole.
limited_observations as (

    select * from {{ ref('int_identifiers_normalised') }}
    where is_valid
        and identifier_type in ({{ "'" ~ (limits.keys() | list | join("', '")) ~ "'" }})

),

other_observations as (

    select * from {{ ref('int_identifiers_normalised') }}
    where is_valid
        and identifier_type in ({{ "'" ~ (limited_others | join("', '")) ~ "'" }})

),

name_equivalents as (

    select * from {{ ref('identity_name_equivalents') }}

),

never_link as (

    select * from {{ ref('identity_never_link') }}
    where other_identifier_type is null or other_identifier_type = ''

),

co_occurrences as (

    -- Every pair of different identifiers written on the same record whose types have a
    -- limit (other pairs cannot refuse anything: leaving them out saves most of the join).
    select distinct
        this_side.identifier_type,
        this_side.identifier_value,
        other_side.identifier_type as other_type,
        other_side.identifier_value as other_value,
        {{ cdp.name_letters('this_side.record_first_name') }} as first_name
    from limited_observations as this_side
    inner join other_observations as other_side
        on this_side.source_table = other_side.source_table
        and this_side.source_record_id = other_side.source_record_id
        and (this_side.identifier_type <> other_side.identifier_type
            or this_side.identifier_value <> other_side.identifier_value)
    where
        {%- for identifier_type, by_other in limits.items() %}
        (this_side.identifier_type = '{{ identifier_type }}'
            and other_side.identifier_type in ({{ "'" ~ (by_other.keys() | list | join("', '")) ~ "'" }}))
        {%- if not loop.last %} or{% endif %}
        {%- endfor %}

),

name_counts as (

    select
        identifier_type,
        identifier_value,
        first_name,
        count(*) as mentions
    from co_occurrences
    where first_name <> ''
    group by identifier_type, identifier_value, first_name

),

usual_names as (

    -- The first name most of the identifier's records carry (ties: alphabetical).
    select
        identifier_type,
        identifier_value,
        first_name as usual_first_name
    from (
        select
            name_counts.*,
            row_number() over (
                partition by identifier_type, identifier_value
                order by mentions desc, first_name asc
            ) as name_rank
        from name_counts
    ) as ranked
    where name_rank = 1

),

judged_others as (

    select
        co_occurrences.identifier_type,
        co_occurrences.identifier_value,
        co_occurrences.other_type,
        co_occurrences.other_value,
        max(
            case
                when co_occurrences.first_name = '' then 0
                when {{ cdp.first_names_agree('co_occurrences.first_name', 'usual_names.usual_first_name') }}
                    then 1
                {%- if var('identity_name_match').nicknames %}
                when name_equivalents.name is not null then 1
                {%- endif %}
                else 0
            end
        ) as names_usual_person
    from co_occurrences
    left join usual_names
        on co_occurrences.identifier_type = usual_names.identifier_type
        and co_occurrences.identifier_value = usual_names.identifier_value
    {%- if var('identity_name_match').nicknames %}
    left join name_equivalents
        on co_occurrences.first_name = name_equivalents.name
        and usual_names.usual_first_name = name_equivalents.equivalent_name
    {%- endif %}
    group by
        co_occurrences.identifier_type,
        co_occurrences.identifier_value,
        co_occurrences.other_type,
        co_occurrences.other_value

),

degree_by_type as (

    -- Distinct other identifiers, and the people they stand for: every one naming the usual
    -- person counts once together, every other one counts on its own.
    select
        identifier_type,
        identifier_value,
        other_type,
        count(*) as distinct_others,
        sum(1 - names_usual_person) + max(names_usual_person) as people
    from judged_others
    group by identifier_type, identifier_value, other_type

),

over_shared as (

    select
        identifier_type,
        identifier_value,
        'shared identifier' as reason,
        {{ dbt.concat([
            "'seen with '", 'cast(distinct_others as ' ~ dbt.type_string() ~ ')', "' distinct '",
            'other_type', "' values of '", 'cast(people as ' ~ dbt.type_string() ~ ')',
            "' people by their names (limit '", 'cast(limit_value as ' ~ dbt.type_string() ~ ')', "')'"
        ]) }} as detail
    from (
        select
            degree_by_type.*,
            case
                {%- for identifier_type, by_other in limits.items() %}
                {%- for other_type, limit_value in by_other.items() %}
                when identifier_type = '{{ identifier_type }}' and other_type = '{{ other_type }}'
                    then {{ limit_value }}
                {%- endfor %}
                {%- endfor %}
            end as limit_value
        from degree_by_type
    ) as limited
    where people > limit_value

),

analyst_rules as (

    select
        observations.identifier_type,
        observations.identifier_value,
        'never_link rule' as reason,
        coalesce(max(never_link.note), 'identity_never_link.csv') as detail
    from {{ ref('int_identifiers_normalised') }} as observations
    inner join never_link
        on observations.identifier_type = never_link.identifier_type
        and observations.identifier_value = never_link.identifier_value
    where observations.is_valid
    group by observations.identifier_type, observations.identifier_value

),

all_refusals as (

    select * from over_shared
    union all
    select * from analyst_rules

),

final as (

    -- One row per identifier: the first reason in a fixed order, all of them in `details`.
    select
        {{ cdp.identifier_key() }} as node_key,
        identifier_type,
        identifier_value,
        min(reason) as reason,
        {{ dbt.listagg("reason || ': ' || detail", "'; '", 'order by reason, detail') }} as details
    from all_refusals
    group by identifier_type, identifier_value

)

select * from final
