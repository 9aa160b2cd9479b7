{#- Fails for every combination of `columns` that appears more than once: dbt-utils'
    unique_combination_of_columns (Apache-2.0), written here because `dbt deps` cannot reach
    hub.getdbt.com or GitHub where this project builds and dbt-utils is not on PyPI
    (macros/_macros.yml). -#}
{% test unique_combination_of_columns(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
