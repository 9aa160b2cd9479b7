{#- Values the staging models could not place: every raw record whose value in a vocabulary
    column (cdp.vocabulary_columns) is not in its vocabulary after normalisation, and so became
    `unknown` in staging. One row per record and column, from every file currently loaded.
    Generated from the same list as the staging mapping, so the two cannot disagree. -#}

with

unknown_values as (

    {{ cdp.vocabulary_warnings() }}

),

final as (

    select
        warning_class,
        model_name,
        source_table,
        column_name,
        vocabulary,
        raw_value,
        raw_token,
        became,
        source_file,
        record_number,
        line_number,
        loaded_at
    from unknown_values

)

select * from final
