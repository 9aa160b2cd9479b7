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
