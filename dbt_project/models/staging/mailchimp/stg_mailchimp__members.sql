{#- Mailchimp audience members, one row per member (natural key: EUID, the member's
    unique_email_id). When a member appears in several exports or status files, the row loaded
    last wins; within one load, the one with the latest LAST_CHANGED. -#}

{%- set address = "trim(address)" -%}
{%- set address_is_complete = address ~ " like '%  %  %  %  %'" -%}

with

source as (

    select * from {{ source('mailchimp', 'members') }}

),

renamed as (

    select
        {{ trim_to_null('euid') }} as source_record_id,
        {{ trim_to_null('euid') }} as mailchimp_subscriber_id,
        {{ trim_to_null('leid') }} as mailchimp_leid,
        {{ trim_to_null('email_address') }} as email,
        {{ trim_to_null('first_name') }} as first_name,
        {{ trim_to_null('last_name') }} as last_name,
        {{ strip_leading_apostrophe('phone_number') }} as phone,
        {{ trim_to_null('address') }} as address,
        case
            when {{ address_is_complete }}
                then {{ trim_to_null(dbt.split_part(address, "'  '", 1)) }}
        end as address_line_1,
        case
            when {{ address_is_complete }}
                then {{ trim_to_null(dbt.split_part(address, "'  '", -4)) }}
        end as address_city,
        case
            when {{ address_is_complete }}
                then {{ trim_to_null(dbt.split_part(address, "'  '", -3)) }}
        end as address_state,
        case
            when {{ address_is_complete }}
                then {{ trim_to_null(dbt.split_part(address, "'  '", -2)) }}
        end as address_postal_code,
        {{ cdp.vocabulary_value('address_country') }} as address_country_code,
        {{ trim_to_null('birthday') }} as birthday,
        {{ cdp.vocabulary_value('_member_status') }} as member_status,
        {{ cdp.vocabulary_value('_member_status') }} = 'subscribed' as is_subscribed,
        {{ dbt.safe_cast(trim_to_null('member_rating'), dbt.type_int()) }} as member_rating,
        {{ dbt.safe_cast(trim_to_null('optin_time'), dbt.type_timestamp()) }} as opted_in_at,
        {{ trim_to_null('optin_ip') }} as opt_in_ip_address,
        {{ dbt.safe_cast(trim_to_null('confirm_time'), dbt.type_timestamp()) }} as confirmed_at,
        {{ trim_to_null('confirm_ip') }} as confirm_ip_address,
        {{ dbt.safe_cast(trim_to_null('last_changed'), dbt.type_timestamp()) }} as last_changed_at,
        {{ dbt.safe_cast(trim_to_null('unsub_time'), dbt.type_timestamp()) }} as unsubscribed_at,
        {{ trim_to_null('unsub_campaign_id') }} as unsubscribe_campaign_id,
        {{ trim_to_null('unsub_campaign_title') }} as unsubscribe_campaign_title,
        {{ trim_to_null('unsub_reason') }} as unsubscribe_reason,
        {{ trim_to_null('unsub_reason_other') }} as unsubscribe_reason_other,
        {{ dbt.safe_cast(trim_to_null('clean_time'), dbt.type_timestamp()) }} as cleaned_at,
        {{ trim_to_null('clean_campaign_id') }} as clean_campaign_id,
        {{ trim_to_null('clean_campaign_title') }} as clean_campaign_title,
        {{ dbt.safe_cast(trim_to_null('latitude'), 'double') }} as latitude,
        {{ dbt.safe_cast(trim_to_null('longitude'), 'double') }} as longitude,
        {{ dbt.safe_cast(trim_to_null('gmtoff'), 'double') }} as gmt_offset_hours,
        {{ dbt.safe_cast(trim_to_null('dstoff'), 'double') }} as dst_offset_hours,
        {{ trim_to_null('timezone') }} as time_zone,
        {{ cdp.vocabulary_value('cc') }} as country_code,
        {{ trim_to_null('region') }} as region,
        {{ trim_to_null('notes') }} as notes,
        {{ trim_to_null("replace(tags, '\"', '')") }} as tags,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

latest_loads as (

    {{ cdp.latest_load_only('renamed', then_by=['last_changed_at desc nulls last']) }}

),

final as (

    select
        source_record_id,
        mailchimp_subscriber_id,
        mailchimp_leid,
        email,
        first_name,
        last_name,
        phone,
        address,
        address_line_1,
        address_city,
        address_state,
        address_postal_code,
        address_country_code,
        birthday,
        member_status,
        is_subscribed,
        member_rating,
        opted_in_at,
        opt_in_ip_address,
        confirmed_at,
        confirm_ip_address,
        last_changed_at,
        unsubscribed_at,
        unsubscribe_campaign_id,
        unsubscribe_campaign_title,
        unsubscribe_reason,
        unsubscribe_reason_other,
        cleaned_at,
        clean_campaign_id,
        clean_campaign_title,
        latitude,
        longitude,
        gmt_offset_hours,
        dst_offset_hours,
        time_zone,
        country_code,
        region,
        notes,
        tags,
        _source_file,
        _source_row,
        _loaded_at
    from latest_loads

)

select * from final
