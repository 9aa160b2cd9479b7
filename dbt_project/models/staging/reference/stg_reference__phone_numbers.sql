{#- E.164 forms of raw phone values for the configured default region (natural key: raw_phone). -#}

with

source as (

    select * from {{ source('reference', 'phone_numbers') }}

),

final as (

    select
        raw_phone,
        phone_e164,
        is_valid
    from source
    where default_region = '{{ var("default_phone_region") }}'

)

select * from final
