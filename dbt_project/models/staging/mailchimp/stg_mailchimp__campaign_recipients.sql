{#- Recipients of each campaign from the sent-to reports, one row per campaign and recipient
    (natural key: campaign id + email id, hashed into source_record_id). Latest load wins. -#}

with

source as (

    select * from {{ source('mailchimp', 'sent_to') }}

),

renamed as (

    select
        {{ natural_key_hash([trim_to_null('campaign_id'), trim_to_null('email_id')]) }}
            as source_record_id,
        {{ trim_to_null('campaign_id') }} as mailchimp_campaign_id,
        {{ trim_to_null('list_id') }} as mailchimp_list_id,
        {{ trim_to_null('email_id') }} as mailchimp_email_id,
        {{ trim_to_null('email_address') }} as email,
        {{ cdp.vocabulary_value('status') }} as delivery_status,
        {{ cdp.vocabulary_value('status') }} = 'sent' as is_delivered,
        {{ dbt.safe_cast(trim_to_null('open_count'), dbt.type_int()) }} as open_count,
        {{ iso_timestamp_to_utc('last_open') }} as last_opened_at,
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
        delivery_status,
        is_delivered,
        open_count,
        last_opened_at,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
