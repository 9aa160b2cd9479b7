{#- The rule "latest load wins", in one place for every staging model: 1 for the version of a
    record (same source_record_id) that was loaded last; `then_by` breaks ties between versions
    loaded together before the file order does (e.g. Mailchimp's last_changed_at). -#}
{% macro latest_load_rank(then_by=[]) -%}
    row_number() over (
        partition by source_record_id
        order by
            _loaded_at desc,
            {%- for expression in then_by %}
            {{ expression }},
            {%- endfor %}
            _source_file desc,
            _source_row desc
    )
{%- endmacro %}

{#- The staging models' dedupe step, as the body of a `latest_loads` CTE: the rows of `relation`
    (a CTE name) that are the latest load of their record (latest_load_rank = 1), with a
    recency_rank column the final select leaves out. -#}
{% macro latest_load_only(relation, then_by=[]) -%}
    select *
    from (
        select
            *,
            {{ cdp.latest_load_rank(then_by=then_by) }} as recency_rank
        from {{ relation }}
    ) as ranked
    where recency_rank = 1
{%- endmacro %}
