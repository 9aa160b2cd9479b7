{#- Survivorship: for each person, each contact field comes from the best source record that
    has it. Source order is the `survivorship_source_priority` var (dbt_project.yml); within a
    source the most recent record wins. The address is taken whole from one record, never
    assembled from several. The winning source is kept per field. -#}

{%- set priority = var('survivorship_source_priority') -%}
{%- set fields = ['first_name', 'last_name', 'email', 'phone'] -%}

with

candidates as (

    select
        *,
        case source_table
            {%- for source_table in priority %}
            when '{{ source_table }}' then {{ loop.index }}
            {%- endfor %}
            else {{ priority | length + 1 }}
        end as source_priority
    from {{ ref('int_contact_candidates') }}

),

people as (

    select distinct person_id from candidates

),

{% for field in fields %}
best_{{ field }} as (

    select person_id, {{ field }}, source_table
    from (
        select
            person_id,
            {{ field }},
            source_table,
            row_number() over (
                partition by person_id
                order by source_priority, observed_at desc nulls last, source_record_id
            ) as rank_in_person
        from candidates
        where {{ field }} is not null and trim({{ field }}) <> ''
    ) as ranked
    where rank_in_person = 1

),

{% endfor %}

best_address as (

    select *
    from (
        select
            person_id,
            address_line_1,
            address_line_2,
            city,
            region,
            postal_code,
            country_code,
            source_table,
            row_number() over (
                partition by person_id
                order by source_priority, observed_at desc nulls last, source_record_id
            ) as rank_in_person
        from candidates
        where address_line_1 is not null
    ) as ranked
    where rank_in_person = 1

),

source_ids as (

    select
        person_id,
        max(shopify_customer_id) as shopify_customer_id,
        max(square_customer_id) as square_customer_id,
        max(mailchimp_subscriber_id) as mailchimp_subscriber_id
    from candidates
    group by person_id

),

final as (

    select
        people.person_id,
        {%- for field in fields %}
        best_{{ field }}.{{ field }},
        best_{{ field }}.source_table as {{ field }}_source,
        {%- endfor %}
        best_address.address_line_1,
        best_address.address_line_2,
        best_address.city,
        best_address.region,
        best_address.postal_code,
        best_address.country_code,
        best_address.source_table as address_source,
        source_ids.shopify_customer_id,
        source_ids.square_customer_id,
        source_ids.mailchimp_subscriber_id
    from people
    {%- for field in fields %}
    left join best_{{ field }}
        on people.person_id = best_{{ field }}.person_id
    {%- endfor %}
    left join best_address
        on people.person_id = best_address.person_id
    left join source_ids
        on people.person_id = source_ids.person_id

)

select * from final
