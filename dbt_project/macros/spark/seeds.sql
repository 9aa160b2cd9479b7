{#- dbt-spark's session connection pastes seed bindings into the statement between quotes without
    escaping them (dbt/adapters/spark/session.py, _fix_binding), so a seed value with an
    apostrophe ("o'brien@example.ie") or a backslash breaks or changes the insert. This is
    dbt-spark's own spark__load_csv_rows with each value written as an escaped Spark literal
    instead of a binding; it is correct for the thrift/odbc methods too. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}

  {% for chunk in agate_table.rows | batch(batch_size) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                  {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ cdp.spark_seed_literal(row[loop.index0]) }} as {{ type }})
                  {%- if not loop.last %},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last %},{%- endif %}
          {%- endfor %}
      {% endset %}

      {% do adapter.add_query(sql, abridge_sql_log=True) %}

      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}

  {{ return(statements[0]) }}
{% endmacro %}


{% macro spark_seed_literal(value) -%}
  {%- if value is none -%}
    null
  {%- elif value is boolean -%}
    {{ 'true' if value else 'false' }}
  {%- elif value is number -%}
    {{ value }}
  {%- else -%}
    {#- Spark reads backslash escapes inside string literals (spark.sql.parser.escapedStringLiterals
        is false by default): double every backslash, then escape the quote. -#}
    '{{ (value | string).replace('\\', '\\\\').replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
