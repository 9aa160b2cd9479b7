{#- Identifiers that may not link records, with the guard that refused them: shared
    identifiers over the `identity_shared_identifier_limits`, identifiers whose records name
    different people (`identity_name_checked_types`: two first names that are neither similar
    spellings, one edit apart, nicknames of each other nor an initial and its name, as set by
    `identity_name_match`), and the analyst's `identity_never_link` rules for single
    identifiers. They stay out of the identity graph. -#}

{%- set limits = var('identity_shared_identifier_limits') -%}
{%- set name_checked = var('identity_name_checked_types') -%}
{%- set name_match = var('identity_name_match') -%}

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
        other_side.identifier_value as other_value
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

degree_by_type as (

    select
        identifier_type,
        identifier_value,
        other_type,
        count(*) as distinct_others
    from co_occurrences
    group by identifier_type, identifier_value, other_type

),

over_shared as (

    select
        identifier_type,
        identifier_value,
        'shared identifier' as reason,
        {{ dbt.concat([
            "'seen with '", 'cast(distinct_others as ' ~ dbt.type_string() ~ ')', "' distinct '",
            'other_type', "' values (limit '", 'cast(limit_value as ' ~ dbt.type_string() ~ ')', "')'"
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
    where distinct_others > limit_value

),

multi_named as (

    -- Name-checked identifiers whose records carry two or more first names, compared on
    -- letters only (`J.` is `j`, `Mary-Jane` is `maryjane`). Most identifiers carry one name:
    -- only these few are compared pair by pair below.
    select identifier_type, identifier_value
    from (
        select distinct identifier_type, identifier_value, record_first_name
        from {{ ref('int_identifiers_normalised') }}
        where is_valid
            and identifier_type in ({{ "'" ~ (name_checked | join("', '")) ~ "'" }})
            and record_first_name is not null
    ) as spellings
    where {{ cdp.regex_replace_all('record_first_name', "'[^\\p{L}]'", "''") }} <> ''
    group by identifier_type, identifier_value
    having count(distinct {{ cdp.regex_replace_all('record_first_name', "'[^\\p{L}]'", "''") }}) > 1

),

named as (

    select distinct
        observations.identifier_type,
        observations.identifier_value,
        {{ cdp.regex_replace_all('observations.record_first_name', "'[^\\p{L}]'", "''") }} as first_name
    from {{ ref('int_identifiers_normalised') }} as observations
    inner join multi_named
        on observations.identifier_type = multi_named.identifier_type
        and observations.identifier_value = multi_named.identifier_value
    where observations.is_valid
        and observations.record_first_name is not null

),

name_pairs as (

    select
        this_name.identifier_type,
        this_name.identifier_value,
        this_name.first_name as name_a,
        other_name.first_name as name_b
    from named as this_name
    inner join named as other_name
        on this_name.identifier_type = other_name.identifier_type
        and this_name.identifier_value = other_name.identifier_value
        and this_name.first_name < other_name.first_name
    where this_name.first_name <> ''

),

judged_pairs as (

    -- Two spellings name one person when a person reading them would say so: similar
    -- spellings (a typo), one edit apart, a listed nickname, or an initial and a name that
    -- starts with it. Anything else is two people.
    select
        name_pairs.*,
        {%- if name_match.nicknames %}
        name_equivalents.name is not null
        {%- else %}
        false
        {%- endif %}
        {%- if name_match.initials %}
        or (length(name_pairs.name_a) = 1 and substr(name_pairs.name_b, 1, 1) = name_pairs.name_a)
        or (length(name_pairs.name_b) = 1 and substr(name_pairs.name_a, 1, 1) = name_pairs.name_b)
        {%- endif %}
        or (least(length(name_pairs.name_a), length(name_pairs.name_b)) >= {{ name_match.one_edit_min_length }}
            and {{ cdp.within_one_edit('name_pairs.name_a', 'name_pairs.name_b') }})
        or (least(length(name_pairs.name_a), length(name_pairs.name_b)) >= 2
            and {{ cdp.name_similarity('name_pairs.name_a', 'name_pairs.name_b') }} >= {{ name_match.min_similarity }})
            as is_same_person
    from name_pairs
    {%- if name_match.nicknames %}
    left join name_equivalents
        on (name_pairs.name_a = name_equivalents.name and name_pairs.name_b = name_equivalents.equivalent_name)
        or (name_pairs.name_b = name_equivalents.name and name_pairs.name_a = name_equivalents.equivalent_name)
    {%- endif %}

),

name_conflicts as (

    select
        identifier_type,
        identifier_value,
        'records name different people' as reason,
        {{ dbt.concat(["'first names: '", dbt.listagg(dbt.concat(['name_a', "' / '", 'name_b']), "', '", 'order by name_a, name_b')]) }} as detail
    from judged_pairs
    where not is_same_person
    group by identifier_type, identifier_value

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
    select * from name_conflicts
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
