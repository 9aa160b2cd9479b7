{#- Unsubscribes attributed to a campaign from the unsubscribed reports, one row per campaign
    and member (natural key: campaign id + email id, hashed into source_record_id). Latest load wins. -#}

with

source as (

    select * from {{ source('mailchimp', 'unsubscribes') }}

),

renamed as (

    select
        {{ natural_key_hash([trim_to_null('campaign_id'), trim_to_null('email_id')]) }}
            as source_record_id,
        {{ trim_to_null('campaign_id') }} as mailchimp_campaign_id,
        {{ trim_to_null('list_id') }} as mailchimp_list_id,
        {{ trim_to_null('email_id') }} as mailchimp_email_id,
        {{ trim_to_null('email_address') }} as email,
        {{ iso_timestamp_to_utc('unsubscribed_at') }} as unsubscribed_at,
        {{ trim_to_null('reason') }} as unsubscribe_reason,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

latest_loads as (

    {{ cdp.latest_load_only('renamed') }}

),

final as (

    select
        source_record_id,
        mailchimp_campaign_id,
        mailchimp_list_id,
        mailchimp_email_id,
        email,
        unsubscribed_at,
        unsubscribe_reason,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
