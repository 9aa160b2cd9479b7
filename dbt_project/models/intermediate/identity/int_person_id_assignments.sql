{#- Stable person ids. Each component (person) keeps the id its identifiers had last run:
    - nothing known yet: a new id from the hash of its oldest identifier (the same on every
      engine and every rebuild of the same data);
    - one earlier person: that person's id;
    - several earlier people (a merge): the oldest person's id survives;
    - an earlier person now in several components (a split): the part holding most of that
      person's identifiers keeps the id, the other parts get new ids.
    Earlier ids come from the previous run's identity_person_registry (read directly, not by
    ref, since the registry is built from this model). -#}

{%- set registry = cdp.previous_state('identity_person_registry', 'marts') -%}

with

resolved as (

    select * from {{ ref('int_identity_linked_nodes') }}

),

previous as (

    {%- if registry is not none %}
    select identifier_type, identifier_value, person_id, person_first_seen_at from {{ registry }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as identifier_value,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_timestamp() }}) as person_first_seen_at
    where 1 = 0
    {%- endif %}

),

roots as (

    select component_id, node_key as root_node_key
    from resolved
    where node_id = component_id

),

previous_in_components as (

    -- How many identifiers of each earlier person landed in each component now.
    select
        previous.person_id,
        min(previous.person_first_seen_at) as person_first_seen_at,
        resolved.component_id,
        count(*) as identifiers
    from resolved
    inner join previous
        on resolved.identifier_type = previous.identifier_type
        and resolved.identifier_value = previous.identifier_value
    group by previous.person_id, resolved.component_id

),

homes as (

    -- Each earlier person stays with the component holding most of its identifiers.
    select
        *,
        row_number() over (
            partition by person_id order by identifiers desc, component_id
        ) = 1 as is_home
    from previous_in_components

),

survivors as (

    -- Among the earlier people at home in a component, the oldest keeps its id.
    select
        component_id,
        person_id,
        row_number() over (
            partition by component_id
            order by person_first_seen_at asc nulls last, person_id
        ) as seniority
    from homes
    where is_home

),

taken_ids as (

    select distinct person_id from previous

),

new_ids as (

    select
        roots.component_id,
        'p_' || substring({{ dbt.hash('roots.root_node_key') }}, 1, 16) as fresh_id,
        'p_' || substring({{ dbt.hash(dbt.concat(['roots.root_node_key', "'|split'"])) }}, 1, 16) as fallback_id
    from roots

),

assigned as (

    select
        new_ids.component_id,
        coalesce(
            survivors.person_id,
            case when taken_ids.person_id is null then new_ids.fresh_id else new_ids.fallback_id end
        ) as person_id,
        survivors.person_id is not null as is_existing_person
    from new_ids
    left join survivors
        on new_ids.component_id = survivors.component_id
        and survivors.seniority = 1
    left join taken_ids
        on new_ids.fresh_id = taken_ids.person_id

),

component_first_seen as (

    -- One component is one person (each earlier id has one home, fresh ids are per root):
    -- grouping on the integer component id is cheaper than a window over person ids.
    select component_id, min(first_seen_at) as person_first_seen_at
    from resolved
    group by component_id

),

final as (

    select
        resolved.identifier_type,
        resolved.identifier_value,
        resolved.first_seen_at,
        resolved.last_seen_at,
        resolved.component_id,
        resolved.exact_component_id,
        assigned.person_id,
        assigned.is_existing_person,
        component_first_seen.person_first_seen_at
    from resolved
    inner join assigned
        on resolved.component_id = assigned.component_id
    inner join component_first_seen
        on resolved.component_id = component_first_seen.component_id

)

select * from final
