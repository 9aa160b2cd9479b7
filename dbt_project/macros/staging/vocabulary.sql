{#- Source values read through a known vocabulary (seed vocabulary_values, docs/ingestion.md
    "What blocks what"). This list is the one place that says which raw column of which source
    a staging model reads through which vocabulary; `vocabulary_value` (the staging side) and
    `vocabulary_warnings` (marts.data_quality_warnings) are both generated from it, so adding a
    vocabulary column is one entry here (and the staging line that reads it through
    `cdp.vocabulary_value('<column>')`).

    Entry keys: model (the staging model), source ([source name, table name]), column (the raw
    column, also the name the warning shows), vocabulary (seed `vocabulary`), and optionally
    expression (SQL computing the raw value from other raw columns, when the value is part of
    a column). Raw column names must not be `vocabulary`, `token` or `canonical_value` (the
    seed's columns, visible inside the lookup). -#}
{% macro vocabulary_columns() -%}
    {%- set mailchimp_address = "trim(address)" -%}
    {{ return([
        {'model': 'stg_mailchimp__members', 'source': ['mailchimp', 'members'], 'column': '_member_status', 'vocabulary': 'mailchimp_member_status'},
        {'model': 'stg_mailchimp__members', 'source': ['mailchimp', 'members'], 'column': 'cc', 'vocabulary': 'country'},
        {'model': 'stg_mailchimp__members', 'source': ['mailchimp', 'members'], 'column': 'address_country', 'vocabulary': 'country',
            'expression': "case when " ~ mailchimp_address ~ " like '%  %  %  %  %' then " ~ dbt.split_part(mailchimp_address, "'  '", -1) ~ " end"},
        {'model': 'stg_mailchimp__email_activities', 'source': ['mailchimp', 'email_activity'], 'column': 'action', 'vocabulary': 'mailchimp_activity_action'},
        {'model': 'stg_mailchimp__email_activities', 'source': ['mailchimp', 'email_activity'], 'column': 'bounce_type', 'vocabulary': 'mailchimp_bounce_type'},
        {'model': 'stg_mailchimp__campaign_recipients', 'source': ['mailchimp', 'sent_to'], 'column': 'status', 'vocabulary': 'mailchimp_sent_to_status'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'customer__email_marketing_consent__state', 'vocabulary': 'shopify_marketing_state'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'customer__email_marketing_consent__opt_in_level', 'vocabulary': 'shopify_marketing_opt_in_level'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'customer__sms_marketing_consent__state', 'vocabulary': 'shopify_marketing_state'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'customer__sms_marketing_consent__opt_in_level', 'vocabulary': 'shopify_marketing_opt_in_level'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'customer__sms_marketing_consent__consent_collected_from', 'vocabulary': 'shopify_consent_collected_from'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'financial_status', 'vocabulary': 'shopify_financial_status'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'fulfillment_status', 'vocabulary': 'shopify_fulfillment_status'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'cancel_reason', 'vocabulary': 'shopify_cancel_reason'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'currency', 'vocabulary': 'currency'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'billing_address__country_code', 'vocabulary': 'country'},
        {'model': 'stg_shopify__orders', 'source': ['shopify', 'orders'], 'column': 'shipping_address__country_code', 'vocabulary': 'country'},
        {'model': 'stg_shopify__customers', 'source': ['shopify', 'customers'], 'column': 'accepts_email_marketing', 'vocabulary': 'yes_no'},
        {'model': 'stg_shopify__customers', 'source': ['shopify', 'customers'], 'column': 'accepts_marketing', 'vocabulary': 'yes_no'},
        {'model': 'stg_shopify__customers', 'source': ['shopify', 'customers'], 'column': 'accepts_sms_marketing', 'vocabulary': 'yes_no'},
        {'model': 'stg_shopify__customers', 'source': ['shopify', 'customers'], 'column': 'tax_exempt', 'vocabulary': 'yes_no'},
        {'model': 'stg_shopify__customers', 'source': ['shopify', 'customers'], 'column': 'default_address_country_code', 'vocabulary': 'country'},
        {'model': 'stg_shopify__products', 'source': ['shopify', 'products'], 'column': 'status', 'vocabulary': 'shopify_product_status'},
        {'model': 'stg_shopify__web_events', 'source': ['shopify', 'web_events'], 'column': 'event_name', 'vocabulary': 'web_event_name'},
        {'model': 'stg_shopify__web_events', 'source': ['shopify', 'web_events'], 'column': 'checkout_currency', 'vocabulary': 'currency'},
        {'model': 'stg_square__transactions', 'source': ['square', 'transactions'], 'column': 'event_type', 'vocabulary': 'square_event_type'},
        {'model': 'stg_square__items', 'source': ['square', 'items'], 'column': 'event_type', 'vocabulary': 'square_event_type'},
        {'model': 'stg_square__customers', 'source': ['square', 'customers'], 'column': 'email_subscription_status', 'vocabulary': 'square_email_subscription_status'},
        {'model': 'stg_square__customers', 'source': ['square', 'customers'], 'column': 'email_unsubscribed', 'vocabulary': 'yes_no'},
        {'model': 'stg_square__customers', 'source': ['square', 'customers'], 'column': 'instant_profile', 'vocabulary': 'yes_no'}
    ]) }}
{%- endmacro %}

{#- The entry of `column` in `model_name`'s vocabulary columns (a compile error names a
    missing one, so a staging line cannot read a vocabulary the warnings do not cover). -#}
{% macro vocabulary_entry(column, model_name) -%}
    {%- for entry in cdp.vocabulary_columns() -%}
        {%- if entry.model == model_name and entry.column == column -%}
            {{ return(entry) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "No vocabulary entry for " ~ model_name ~ "." ~ column ~ ": add it to cdp.vocabulary_columns()") }}
{%- endmacro %}

{#- The model being compiled; in a dbt unit test, the model under test. -#}
{% macro _current_model_name() -%}
    {%- set tested = model.get('tested_node_unique_id') if model is mapping else none -%}
    {{ return(tested.split('.')[-1] if tested else model.name) }}
{%- endmacro %}

{#- The raw value of an entry, trimmed, blank → null. -#}
{% macro _vocabulary_raw(entry) -%}
    {{ cdp.trim_to_null(entry.expression or entry.column) }}
{%- endmacro %}

{#- The canonical value of a vocabulary column: its normalised token looked up in the seed;
    null when the cell is empty; `unknown` when the token is not in the vocabulary (the row then
    appears in marts.data_quality_warnings). For use in the staging model the entry names. -#}
{% macro vocabulary_value(column, model_name=none) -%}
    {%- set entry = cdp.vocabulary_entry(column, model_name or cdp._current_model_name()) -%}
    {%- set raw = cdp._vocabulary_raw(entry) -%}
    case
        when {{ raw }} is null then null
        else coalesce(
            (
                select max(canonical_value)
                from {{ ref('vocabulary_values') }}
                where vocabulary = '{{ entry.vocabulary }}'
                    and token = {{ cdp.normalise_token(raw) }}
            ),
            'unknown'
        )
    end
{%- endmacro %}

{#- One select per vocabulary column, unioned: every raw record whose value is not in its
    vocabulary, with where it came from (marts.data_quality_warnings). The line is known for
    CSV files (record + 1 for the header line; a quoted value holding line breaks shifts it,
    which record_number does not); other formats are located by record_number. -#}
{% macro vocabulary_warnings() -%}
    {%- for entry in cdp.vocabulary_columns() %}
    {%- set relation = source(entry.source[0], entry.source[1]) %}
    {#- The raw table's name from the graph; a unit test, which has no graph and renders a
        fixture CTE in place of the relation, gets the <source>_<table> name every raw table has. #}
    {%- set source_node = (graph.get('sources') or {}).get('source.' ~ project_name ~ '.' ~ entry.source[0] ~ '.' ~ entry.source[1]) %}
    {%- set source_table = source_node.identifier if source_node else entry.source | join('_') %}
    {%- set raw = cdp._vocabulary_raw(entry) %}
    select
        'unknown_vocabulary_value' as warning_class,
        '{{ entry.model }}' as model_name,
        '{{ source_table }}' as source_table,
        '{{ entry.column }}' as column_name,
        '{{ entry.vocabulary }}' as vocabulary,
        cast({{ entry.expression or entry.column }} as {{ dbt.type_string() }}) as raw_value,
        {{ cdp.normalise_token(raw) }} as raw_token,
        'unknown' as became,
        _source_file as source_file,
        _source_row as record_number,
        case
            when lower(_source_file) like '%.csv' or lower(_source_file) like '%.txt'
                or lower(_source_file) like '%.tsv'
                then _source_row + 1
        end as line_number,
        _loaded_at as loaded_at
    from {{ relation }} as raw_rows
    where {{ raw }} is not null
        and not exists (
            select 1
            from {{ ref('vocabulary_values') }} as known
            where known.vocabulary = '{{ entry.vocabulary }}'
                and known.token = {{ cdp.normalise_token(raw) }}
        )
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- A yes/no vocabulary column as a boolean: yes → true, no → false, empty or unknown → null
    (an unreadable consent flag is no consent and no opt-out either). -#}
{% macro vocabulary_flag(column, model_name=none) -%}
    case {{ cdp.vocabulary_value(column, model_name) }}
        when 'yes' then true
        when 'no' then false
    end
{%- endmacro %}
