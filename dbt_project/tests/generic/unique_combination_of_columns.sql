{#- Fails for every combination of `columns` that appears more than once (dbt-utils'
    unique_combination_of_columns, without adding a package dependency). -#}
{% test unique_combination_of_columns(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
