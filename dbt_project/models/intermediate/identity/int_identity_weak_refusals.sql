{#- Weak identifiers seen with identifiers of two or more different people: a family tablet, a
    shared office browser (var identity_weak_types), or a phone whose records name different
    people and belong to different people (int_identity_name_conflicts: the family phone).
    They may attach to one person but never join two, so they link nothing. -#}

{%- set weak_types = var('identity_weak_types') -%}

with

nodes as (

    select node_id, {{ cdp.identifier_key() }} as node_key, identifier_type, identifier_value
    from {{ ref('int_identity_nodes') }}

),

edges as (

    select node_id_a, node_id_b from {{ ref('int_identity_edges') }}

),

core_components as (

    select node_id, component_id from {{ ref('int_identity_core_components') }}

),

neighbours as (

    select node_id_a as node_id, node_id_b as neighbour_id from edges
    union all
    select node_id_b as node_id, node_id_a as neighbour_id from edges

),

name_conflicts as (

    select identifier_type, identifier_value, details from {{ ref('int_identity_name_conflicts') }}

),

weak_nodes as (

    select
        nodes.*,
        name_conflicts.details as name_conflict_details
    from nodes
    left join name_conflicts
        on nodes.identifier_type = name_conflicts.identifier_type
        and nodes.identifier_value = name_conflicts.identifier_value
    where nodes.identifier_type in ({{ "'" ~ (weak_types | join("', '")) ~ "'" }})
        or name_conflicts.identifier_value is not null

),

people_per_weak_node as (

    -- Edges are stars per record, so a weak node may reach a strong one through another weak
    -- node of the same record; both directions of the star are looked at.
    select
        weak_nodes.node_id,
        count(distinct core_components.component_id) as people
    from weak_nodes
    inner join neighbours
        on weak_nodes.node_id = neighbours.node_id
    inner join core_components
        on neighbours.neighbour_id = core_components.node_id
    group by weak_nodes.node_id

),

final as (

    select
        weak_nodes.node_id,
        weak_nodes.node_key,
        weak_nodes.identifier_type,
        weak_nodes.identifier_value,
        case
            when weak_nodes.name_conflict_details is not null then 'records name different people'
            else 'weak identifier joins different people'
        end as reason,
        {{ dbt.concat([
            "coalesce(" ~ dbt.concat(['weak_nodes.name_conflict_details', "'; '"]) ~ ", '')",
            "'seen with identifiers of '",
            'cast(people_per_weak_node.people as ' ~ dbt.type_string() ~ ')',
            "' people'"
        ]) }} as details
    from weak_nodes
    inner join people_per_weak_node
        on weak_nodes.node_id = people_per_weak_node.node_id
    where people_per_weak_node.people > 1

)

select * from final
