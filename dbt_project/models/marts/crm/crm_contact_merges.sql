{#- Identity changes a CRM must mirror, from identity_merges: when two people turn out to be one
    (`merge`), the CRM merges the contact upserted as old_person_id into new_person_id; when one
    person is split (`split`), new_person_id is a new contact carved out of old_person_id (CRMs
    cannot un-merge: it arrives through crm_contacts as a new contact, and this row says where it
    came from). The contact details of the person that remains help a CRM find both records. -#}

with

merge_events as (

    select * from {{ ref('identity_merges') }}

),

profiles as (

    select * from {{ ref('profiles') }}

),

final as (

    select
        merge_events.event_id as merge_event_id,
        merge_events.event_type,
        merge_events.occurred_at,
        case merge_events.event_type
            when 'merge' then 'merge_old_into_new'
            when 'split' then 'create_new_from_old'
        end as crm_action,
        merge_events.old_person_id,
        merge_events.new_person_id,
        new_profile.email as new_person_email,
        new_profile.shopify_customer_id as new_person_shopify_customer_id,
        new_profile.square_customer_id as new_person_square_customer_id,
        coalesce(new_profile.is_known, false) as is_new_person_in_crm,
        old_profile.person_id is not null as is_old_person_still_in_crm,
        merge_events.reason
    from merge_events
    left join profiles as new_profile
        on merge_events.new_person_id = new_profile.person_id
    left join profiles as old_profile
        on merge_events.old_person_id = old_profile.person_id
        and old_profile.is_known

)

select * from final
