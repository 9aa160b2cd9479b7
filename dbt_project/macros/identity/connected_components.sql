{#-
    Connected components of an undirected graph in plain SQL, with a bounded number of rounds.

    Algorithm: alternating Large-Star / Small-Star (Kiveris et al., "Connected Components in
    MapReduce and Beyond", SoCC 2014). Each round rewires every edge towards the smallest node
    id of its neighbourhood; the graph converges to one star per component, centred on the
    component's smallest node id, in O(log^2 n) rounds in theory and about log n in practice.

    Why this formulation: every round reads the previous round exactly once (window functions,
    no self-join), so the unrolled rounds stay linear in size when an engine inlines CTEs
    (Spark does), and each round is one shuffle on `u` — the shape that distributes.

    `edges_relation` has integer columns `node_id_a`, `node_id_b`; the macro returns a query
    with `node_id`, `component_id` for every node that has an edge (isolated nodes are the
    caller's: their component is themselves). `rounds` large+small pairs are unrolled; the
    `identity_components_converged` test fails the build if they were not enough.
-#}
{% macro connected_components(edges_relation, rounds) -%}

with

input_edges as (

    select node_id_a, node_id_b from {{ edges_relation }}

),

directions as (

    select 1 as direction
    union all
    select 2 as direction

),

round_0 as (

    select distinct
        case when directions.direction = 1 then node_id_a else node_id_b end as u,
        case when directions.direction = 1 then node_id_b else node_id_a end as v
    from input_edges
    cross join directions
    where node_id_a <> node_id_b

),

{% for i in range(1, rounds + 1) %}

-- Large-Star: every neighbour larger than u moves to u's smallest neighbourhood member.
large_star_{{ i }} as (

    select distinct
        v as node_a,
        smallest as node_b
    from (
        select
            u,
            v,
            least(u, min(v) over (partition by u)) as smallest
        from round_{{ i - 1 }}
    ) as neighbourhoods
    where v > u

),

large_star_{{ i }}_both as (

    select
        case when directions.direction = 1 then node_a else node_b end as u,
        case when directions.direction = 1 then node_b else node_a end as v
    from large_star_{{ i }}
    cross join directions

),

-- Small-Star: u and its smaller neighbours all move to the smallest of them.
small_star_{{ i }} as (

    select distinct
        case when directions.direction = 1 then v else u end as node_a,
        smallest as node_b
    from (
        select
            u,
            v,
            least(u, min(v) over (partition by u)) as smallest
        from large_star_{{ i }}_both
        where v < u
    ) as neighbourhoods
    cross join directions

),

round_{{ i }} as (

    select distinct
        case when directions.direction = 1 then node_a else node_b end as u,
        case when directions.direction = 1 then node_b else node_a end as v
    from small_star_{{ i }}
    cross join directions
    where node_a <> node_b

),

{% endfor %}

components as (

    select
        u as node_id,
        least(u, min(v)) as component_id
    from round_{{ rounds }}
    group by u

)

select * from components

{%- endmacro %}
