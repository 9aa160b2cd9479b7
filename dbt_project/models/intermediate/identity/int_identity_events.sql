{#- Merges and splits detected this run against the previous run's registry: the facts a CRM
    needs to merge (or split) its contacts. -#}

{%- set registry = cdp.previous_state('identity_person_registry', 'marts') -%}

with

assignments as (

    select * from {{ ref('int_person_id_assignments') }}

),

edges as (

    select * from {{ ref('int_identity_edges') }}

),

nodes as (

    select node_id, node_key from {{ ref('int_identity_nodes') }}

),

previous as (

    {%- if registry is not none %}
    select node_key, person_id from {{ registry }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as node_key,
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
        on assignments.node_key = previous.node_key

),

merges as (

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

    select * from merges
    union all
    select * from splits

),

event_nodes as (

    -- Identifiers of the people that merged or split away, as graph nodes.
    select distinct
        events.old_person_id,
        nodes.node_id
    from events
    inner join previous
        on events.old_person_id = previous.person_id
    inner join nodes
        on previous.node_key = nodes.node_key

),

touching_edges as (

    select event_nodes.old_person_id, edges.node_id_b as other_node_id,
           edges.first_source_table, edges.first_source_record_id
    from edges
    inner join event_nodes
        on edges.node_id_a = event_nodes.node_id
    union all
    select event_nodes.old_person_id, edges.node_id_a as other_node_id,
           edges.first_source_table, edges.first_source_record_id
    from edges
    inner join event_nodes
        on edges.node_id_b = event_nodes.node_id

),

evidence as (

    -- One record that links the old person's identifiers to the new person's, to explain it.
    select
        touching_edges.old_person_id,
        assignments.person_id as new_person_id,
        min({{ dbt.concat(['touching_edges.first_source_table', "' '", 'touching_edges.first_source_record_id']) }}) as linking_record
    from touching_edges
    inner join nodes
        on touching_edges.other_node_id = nodes.node_id
    inner join assignments
        on nodes.node_key = assignments.node_key
    group by touching_edges.old_person_id, assignments.person_id

),

final as (

    select
        {{ dbt.hash(dbt.concat(['events.event_type', "'|'", 'events.old_person_id', "'|'", 'events.new_person_id', "'|'", "'" ~ run_started_at.strftime('%Y-%m-%dT%H:%M:%S') ~ "'"])) }} as event_id,
        events.event_type,
        events.old_person_id,
        events.new_person_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }}) as occurred_at,
        case events.event_type
            when 'merge' then coalesce(
                {{ dbt.concat(["'linked by '", 'evidence.linking_record']) }},
                'new identifiers joined the two people')
            else 'links refused by a guard or a never_link rule split the person'
        end as reason
    from events
    left join evidence
        on events.old_person_id = evidence.old_person_id
        and events.new_person_id = evidence.new_person_id

)

select * from final
