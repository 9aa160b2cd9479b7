{#- Per-person limits (var identity_max_per_person). A person that would hold more identifiers
    of a type than allowed was glued together through a weak link: the identifiers of the
    lowest-priority type (var identity_type_priority) that link two or more others inside it
    are refused, and the person is recomputed without them (int_identity_recomponents). -#}

{%- set max_per_person = var('identity_max_per_person') -%}
{%- set priority = var('identity_type_priority') -%}

with

components as (

    select * from {{ ref('int_identity_components') }}

),

nodes as (

    select node_id, {{ cdp.identifier_key() }} as node_key, identifier_type, identifier_value
    from {{ ref('int_identity_nodes') }}

),

edges as (

    select node_id_a, node_id_b from {{ ref('int_identity_edges') }}

),

typed as (

    select
        components.component_id,
        nodes.node_id,
        nodes.node_key,
        nodes.identifier_type,
        nodes.identifier_value
    from components
    inner join nodes
        on components.node_id = nodes.node_id

),

violations as (

    select
        component_id,
        identifier_type,
        count(*) as identifiers_of_type
    from typed
    group by component_id, identifier_type
    having count(*) > case identifier_type
        {%- for identifier_type, limit_value in max_per_person.items() %}
        when '{{ identifier_type }}' then {{ limit_value }}
        {%- endfor %}
        else 1000000
    end

),

violating_components as (

    select
        component_id,
        min(identifier_type) as first_violated_type,
        {{ dbt.listagg("identifier_type || ' x' || cast(identifiers_of_type as " ~ dbt.type_string() ~ ")", "', '", 'order by identifier_type') }} as violated_limits
    from violations
    group by component_id

),

violating_nodes as (

    -- Only people over a limit are looked at further (usually none, or very few).
    select
        typed.*,
        violating_components.violated_limits
    from typed
    inner join violating_components
        on typed.component_id = violating_components.component_id

),

neighbours as (

    select node_id_a as node_id, node_id_b as neighbour_id from edges
    where node_id_a in (select node_id from violating_nodes)
    union all
    select node_id_b as node_id, node_id_a as neighbour_id from edges
    where node_id_b in (select node_id from violating_nodes)

),

linking_nodes as (

    -- Nodes joined to two or more other identifiers: the ones that glue records together.
    select node_id from neighbours group by node_id having count(distinct neighbour_id) >= 2

),

candidates as (

    select
        violating_nodes.*,
        case violating_nodes.identifier_type
            {%- for identifier_type in priority %}
            when '{{ identifier_type }}' then {{ loop.index }}
            {%- endfor %}
            else {{ priority | length + 1 }}
        end as type_rank
    from violating_nodes
    inner join linking_nodes
        on violating_nodes.node_id = linking_nodes.node_id

),

weakest as (

    select
        *,
        max(type_rank) over (partition by component_id) as weakest_rank
    from candidates

),

final as (

    select
        component_id,
        node_id,
        node_key,
        identifier_type,
        identifier_value,
        'person limit' as reason,
        {{ dbt.concat(["'person over its limits ('", 'violated_limits', "'); links through the lowest-priority type refused'"]) }} as details
    from weakest
    where type_rank = weakest_rank

)

select * from final
