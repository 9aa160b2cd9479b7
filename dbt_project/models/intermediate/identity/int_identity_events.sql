{#- Merges and splits detected this run against the previous run's registry: the facts a CRM
    needs to merge (or split) its contacts. -#}

{%- set registry = cdp.previous_state('identity_person_registry', 'marts') -%}

with

assignments as (

    select * from {{ ref('int_person_id_assignments') }}

),

previous as (

    {%- if registry is not none %}
    select identifier_type, identifier_value, person_id from {{ registry }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as identifier_value,
        cast(null as {{ dbt.type_string() }}) as person_id
    where 1 = 0
    {%- endif %}

),

moves as (

    -- Earlier person → person now, for every identifier that had an earlier person.
    select distinct
        previous.person_id as old_person_id,
        assignments.person_id as new_person_id
    from assignments
    inner join previous
        on assignments.identifier_type = previous.identifier_type
        and assignments.identifier_value = previous.identifier_value

),

merge_events as (

    -- An earlier person whose identifiers all went into another (surviving) person.
    select
        'merge' as event_type,
        moves.old_person_id,
        moves.new_person_id
    from moves
    where moves.old_person_id <> moves.new_person_id
        and moves.old_person_id not in (select person_id from assignments)

),

splits as (

    -- An earlier person that still exists but lost identifiers to another person.
    select
        'split' as event_type,
        moves.old_person_id,
        moves.new_person_id
    from moves
    where moves.old_person_id <> moves.new_person_id
        and moves.old_person_id in (select person_id from assignments)

),

events as (

    select * from merge_events
    union all
    select * from splits

),

identifier_moves as (

    select
        assignments.person_id as new_person_id,
        assignments.exact_component_id,
        previous.person_id as old_person_id
    from assignments
    left join previous
        on assignments.identifier_type = previous.identifier_type
        and assignments.identifier_value = previous.identifier_value

),

exact_merges as (

    -- A merge is exact when one deterministic person (the guards' result before probabilistic
    -- links) holds identifiers of the old person and other identifiers of the new one.
    select distinct
        old_side.old_person_id,
        old_side.new_person_id
    from identifier_moves as old_side
    inner join identifier_moves as new_side
        on old_side.exact_component_id = new_side.exact_component_id
        and old_side.new_person_id = new_side.new_person_id
    where old_side.old_person_id is not null
        and coalesce(new_side.old_person_id, '') <> old_side.old_person_id

),

event_identifiers as (

    -- Identifiers of the people that merged or split away.
    select distinct
        events.old_person_id,
        previous.identifier_type,
        previous.identifier_value
    from events
    inner join previous
        on events.old_person_id = previous.person_id

),

event_records as (

    -- Records carrying one of them (the graph keeps links only, not the records behind them).
    select distinct
        event_identifiers.old_person_id,
        observations.source_table,
        observations.source_record_id
    from {{ ref('int_identifiers_normalised') }} as observations
    inner join event_identifiers
        on observations.identifier_type = event_identifiers.identifier_type
        and observations.identifier_value = event_identifiers.identifier_value
    where observations.is_valid

),

evidence as (

    -- One record that carries identifiers of the old person and of the new one, to explain it.
    select
        event_records.old_person_id,
        assignments.person_id as new_person_id,
        min({{ dbt.concat(['event_records.source_table', "' '", 'event_records.source_record_id']) }}) as linking_record
    from {{ ref('int_identifiers_normalised') }} as observations
    inner join event_records
        on observations.source_table = event_records.source_table
        and observations.source_record_id = event_records.source_record_id
    inner join assignments
        on observations.identifier_type = assignments.identifier_type
        and observations.identifier_value = assignments.identifier_value
    where observations.is_valid
    group by event_records.old_person_id, assignments.person_id

),

final as (

    select
        {{ dbt.hash(dbt.concat(['events.event_type', "'|'", 'events.old_person_id', "'|'", 'events.new_person_id', "'|'", "'" ~ run_started_at.strftime('%Y-%m-%dT%H:%M:%S') ~ "'"])) }} as event_id,
        events.event_type,
        events.old_person_id,
        events.new_person_id,
        case
            when events.event_type <> 'merge' then cast(null as {{ dbt.type_string() }})
            when exact_merges.old_person_id is not null then 'exact'
            else 'probabilistic'
        end as match_type,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as occurred_at,
        case
            when events.event_type = 'merge' and exact_merges.old_person_id is null
                then 'probabilistic match: records that share no identifier (identity_probabilistic_links)'
            when events.event_type = 'merge' then coalesce(
                {{ dbt.concat(["'linked by '", 'evidence.linking_record']) }},
                'new identifiers joined the two people')
            else 'links refused by a guard or a never_link rule split the person'
        end as reason
    from events
    left join evidence
        on events.old_person_id = evidence.old_person_id
        and events.new_person_id = evidence.new_person_id
    left join exact_merges
        on events.old_person_id = exact_merges.old_person_id
        and events.new_person_id = exact_merges.new_person_id

)

select * from final
