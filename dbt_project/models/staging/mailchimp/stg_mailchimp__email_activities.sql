{#- Opens, clicks and bounces from the campaign email-activity reports, one row per activity
    (natural key: campaign id, email id, action, timestamp and URL, hashed into
    source_record_id). A re-fetched report replaces the rows of the earlier fetch: latest load wins. -#}

{#- Incremental (docs/ingestion.md): a run transforms only raw rows loaded since the last one,
    plus the activities whose key this table no longer holds; the pre-hook first removes rows
    whose raw row is gone (a corrected report replaced it, a forgotten person was erased). The
    result is the same table a full rebuild (`cdp run --full-refresh`) gives. -#}
{{
    config(
        materialized='incremental',
        unique_key='source_record_id',
        incremental_strategy=('merge' if target.type in ('spark', 'databricks') else 'delete+insert'),
        pre_hook="{{ cdp.delete_rows_missing_from_source(source('mailchimp', 'email_activity')) }}"
    )
}}

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
        {{ cdp.vocabulary_value('action') }} as action,
        {{ cdp.vocabulary_value('bounce_type') }} as bounce_type,
        {{ iso_timestamp_to_utc('activity_at') }} as activity_at,
        {{ trim_to_null('url') }} as url,
        {{ trim_to_null('ip') }} as ip_address,
        _source_file,
        _source_row,
        _loaded_at
    from source

),

batch as (

    select * from renamed
    {% if cdp.is_incremental_build() %}
    where
        _loaded_at > (select max(_loaded_at) from {{ this }})
        or source_record_id not in (
            select source_record_id from {{ this }} where source_record_id is not null
        )
    {% endif %}

),

latest_loads as (

    {{ cdp.latest_load_only('batch') }}

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
    from latest_loads

)

select * from final
