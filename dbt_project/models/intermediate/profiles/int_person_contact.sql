{#- Survivorship: for each person, each contact field group comes from the best source record
    that has it. Field groups are taken whole from one record: the name (first and last), the
    email, the phone and the postal address (street, city, region, postal code, country), so a
    first name is never paired with another record's last name, nor a street with another city.
    Best = the source ranked highest for that group (survivorship_source_priority, overridden
    per group by survivorship_field_priority: dbt_project.yml, read by macros/core/survivorship.sql),
    then the most recent record of that source, then the lowest record id (a stable tie-break).
    The winning source table and record are kept per group. -#}

{%- set groups = {
    'name': {'columns': ['first_name', 'last_name'], 'present': 'coalesce(first_name, last_name) is not null'},
    'email': {'columns': ['email'], 'present': 'email is not null'},
    'phone': {'columns': ['phone'], 'present': 'phone is not null'},
    'address': {
        'columns': ['address_line_1', 'address_line_2', 'city', 'region', 'postal_code', 'country_code'],
        'present': 'address_line_1 is not null'
    }
} -%}

with

candidates as (

    select * from {{ ref('int_contact_candidates') }}

),

people as (

    select distinct person_id from candidates

),

{% for group, spec in groups.items() %}
ranked_{{ group }} as (

    select
        person_id,
        {%- for column in spec.columns %}
        {{ column }},
        {%- endfor %}
        source_table,
        source_record_id,
        row_number() over (
            partition by person_id
            order by
                {{ cdp.survivorship_source_rank(group) }},
                observed_at desc nulls last,
                source_record_id
        ) as rank_in_person
    from candidates
    where {{ spec.present }}

),

best_{{ group }} as (

    select * from ranked_{{ group }} where rank_in_person = 1

),

{% endfor %}

source_ids as (

    -- External ids to upsert on, one of each kind: the highest (Shopify ids grow with time,
    -- so its newest account).
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
        best_name.first_name,
        best_name.last_name,
        best_email.email,
        best_phone.phone,
        best_address.address_line_1,
        best_address.address_line_2,
        best_address.city,
        best_address.region,
        best_address.postal_code,
        best_address.country_code,
        best_name.source_table as first_name_source,
        best_name.source_table as last_name_source,
        best_name.source_record_id as name_record_id,
        best_email.source_table as email_source,
        best_email.source_record_id as email_record_id,
        best_phone.source_table as phone_source,
        best_phone.source_record_id as phone_record_id,
        best_address.source_table as address_source,
        best_address.source_record_id as address_record_id,
        source_ids.shopify_customer_id,
        source_ids.square_customer_id,
        source_ids.mailchimp_subscriber_id
    from people
    {%- for group in groups %}
    left join best_{{ group }}
        on people.person_id = best_{{ group }}.person_id
    {%- endfor %}
    left join source_ids
        on people.person_id = source_ids.person_id

)

select * from final
