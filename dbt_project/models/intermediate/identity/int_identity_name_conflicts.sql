{#- Name-checked identifiers (`identity_name_checked_types`: phones, browser ids) whose records
    name different people: two first names that are neither similar spellings, one edit apart,
    nicknames of each other nor an initial and its name (`identity_name_match`). Such an
    identifier is not refused outright: it is treated like a weak identifier
    (`int_identity_weak_refusals`), so it still belongs to the person when every record carrying
    it belongs to that person through other identifiers (a typo or a changed first name on a
    duplicate record), and links nothing when its records belong to different people (the
    family phone). -#}

{%- set name_checked = var('identity_name_checked_types') -%}
{%- set name_match = var('identity_name_match') -%}

with

name_equivalents as (

    select * from {{ ref('identity_name_equivalents') }}

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
    where {{ cdp.name_letters('record_first_name') }} <> ''
    group by identifier_type, identifier_value
    having count(distinct {{ cdp.name_letters('record_first_name') }}) > 1

),

named as (

    select distinct
        observations.identifier_type,
        observations.identifier_value,
        {{ cdp.name_letters('observations.record_first_name') }} as first_name,
        {{ cdp.name_letters('observations.record_last_name') }} as last_name
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
        other_name.first_name as name_b,
        this_name.last_name as last_name_a,
        other_name.last_name as last_name_b
    from named as this_name
    inner join named as other_name
        on this_name.identifier_type = other_name.identifier_type
        and this_name.identifier_value = other_name.identifier_value
        and this_name.first_name < other_name.first_name
    where this_name.first_name <> ''

),

judged_pairs as (

    -- Two spellings name one person when a person reading them would say so: similar
    -- spellings (a typo), one edit apart, a listed nickname, an initial and a name that
    -- starts with it, or a given and a family name written the other way round on one of the
    -- records (`Jacob White` / `White Jacob`, a classic data-entry swap). Anything else is two
    -- people.
    select
        name_pairs.*,
        {%- if name_match.nicknames %}
        name_equivalents.name is not null
        {%- else %}
        false
        {%- endif %}
        or {{ cdp.first_names_agree('name_pairs.name_a', 'name_pairs.name_b') }}
        or (name_pairs.last_name_a <> '' and name_pairs.last_name_b <> ''
            and {{ cdp.spellings_agree('name_pairs.name_a', 'name_pairs.last_name_b') }}
            and {{ cdp.spellings_agree('name_pairs.last_name_a', 'name_pairs.name_b') }})
            as is_same_person
    from name_pairs
    {%- if name_match.nicknames %}
    left join name_equivalents
        on (name_pairs.name_a = name_equivalents.name and name_pairs.name_b = name_equivalents.equivalent_name)
        or (name_pairs.name_b = name_equivalents.name and name_pairs.name_a = name_equivalents.equivalent_name)
    {%- endif %}

),

different_people as (

    -- A pair of first names seen with several family names counts as one person when any of
    -- its records shows it (the swap is on one record).
    select
        identifier_type,
        identifier_value,
        name_a,
        name_b
    from judged_pairs
    group by identifier_type, identifier_value, name_a, name_b
    having not {{ dbt.bool_or('is_same_person') }}

),

final as (

    select
        identifier_type,
        identifier_value,
        {{ dbt.concat(["'first names: '", dbt.listagg(dbt.concat(['name_a', "' / '", 'name_b']), "', '", 'order by name_a, name_b')]) }} as details
    from different_people
    group by identifier_type, identifier_value

)

select * from final
