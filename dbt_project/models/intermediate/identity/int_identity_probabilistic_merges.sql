{{ config(materialized='table') }}

{#- Each deterministic person that probabilistic links touch, with the person it becomes. The
    per-person limits (`identity_max_per_person`) hold for probabilistic links too, and they
    rank below every exact link (`identity_type_priority` orders exact links by the identifier
    that made them; a probabilistic link has none): a joined person that would hold more
    identifiers of a type than allowed is not joined — all its people stay as they were, and
    the links between them are refused with the limit as evidence. -#}

{%- set limits = var('identity_max_per_person') -%}

with

resolved as (

    select identifier_type, component_id from {{ ref('int_identity_resolved_nodes') }}

),

joined as (

    select
        node_id as component_id,
        component_id as joined_component_id
    from {{ ref('int_identity_probabilistic_components') }}

),

type_counts as (

    select
        joined.joined_component_id,
        resolved.identifier_type,
        count(*) as identifiers
    from resolved
    inner join joined
        on resolved.component_id = joined.component_id
    group by joined.joined_component_id, resolved.identifier_type

),

over_limit as (

    select
        joined_component_id,
        {{ dbt.listagg(dbt.concat(["'would hold '", dbt.cast('identifiers', api.Column.translate_type('string')), "' '", 'identifier_type']), "', '", 'order by identifier_type') }}
            as limit_details
    from type_counts
    where
        {%- for identifier_type, limit in limits.items() %}
        (identifier_type = '{{ identifier_type }}' and identifiers > {{ limit }})
        {%- if not loop.last %} or{% endif %}
        {%- endfor %}
    group by joined_component_id

),

final as (

    select
        joined.component_id,
        case
            when over_limit.joined_component_id is null then joined.joined_component_id
            else joined.component_id
        end as final_component_id,
        joined.joined_component_id,
        over_limit.limit_details
    from joined
    left join over_limit
        on joined.joined_component_id = over_limit.joined_component_id

)

select * from final
