{#- Opens, clicks and bounces from the campaign email-activity reports, one row per activity
    (natural key: campaign id, email id, action, timestamp and URL, hashed into
    source_record_id). A re-fetched report replaces the rows of the earlier fetch: latest load wins. -#}

with

source as (

    select * from {{ source('mailchimp', 'email_activity') }}

),

renamed as (

    select
        {{ natural_key_hash([
            trim_to_null('campaign_id'),
            trim_to_null('email_id'),
            'lower(' ~ trim_to_null('action') ~ ')',
            trim_to_null('activity_at'),
            trim_to_null('url')
        ]) }} as source_record_id,
        {{ trim_to_null('campaign_id') }} as mailchimp_campaign_id,
        {{ trim_to_null('list_id') }} as mailchimp_list_id,
        {{ trim_to_null('email_id') }} as mailchimp_email_id,
        {{ trim_to_null('email_address') }} as email,
        lower({{ trim_to_null('action') }}) as action,
        lower({{ trim_to_null('bounce_type') }}) as bounce_type,
        {{ iso_timestamp_to_utc('activity_at') }} as activity_at,
        {{ trim_to_null('url') }} as url,
        {{ trim_to_null('ip') }} as ip_address,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

ranked as (

    select
        *,
        row_number() over (
            partition by source_record_id
            order by _loaded_at desc, _source_file desc, _source_row desc
        ) as recency_rank
    from renamed

),

final as (

    select
        source_record_id,
        mailchimp_campaign_id,
        mailchimp_list_id,
        mailchimp_email_id,
        email,
        action,
        bounce_type,
        activity_at,
        url,
        ip_address,
        _source_file,
        _source_row,
        _loaded_at
    from ranked
    where recency_rank = 1

)

select * from final
