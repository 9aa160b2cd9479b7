{#- Left-joins the identity map to find the person behind one identifier of a record:
    `{{ person_join('by_email', 'email', normalise_email('orders.email')) }}` then
    `by_email.person_id`. Values must be normalised the way the identity layer normalises. -#}
{% macro person_join(alias, identifier_type, value_expression) -%}
    left join {{ ref('int_person_identifiers') }} as {{ alias }}
        on {{ alias }}.identifier_type = '{{ identifier_type }}'
        and {{ alias }}.identifier_value = {{ value_expression }}
{%- endmacro %}
