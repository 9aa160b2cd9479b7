{#- Spark bodies of dbt's cross-database macros, where dbt-spark's own differ from what DuckDB
    (the reference engine) returns. A root-project `spark__<name>` takes precedence over the
    adapter's in `adapter.dispatch('<name>', 'dbt')`, so every `dbt.<name>(...)` in the project
    picks these up on Spark; DuckDB is unaffected. -#}

{#- split_part: DuckDB's is string_split(text, delimiter)[n]: the delimiter is plain text, n
    counts from 1, a negative n counts from the end, and a part that does not exist is null.
    dbt-spark's counts from the end wrongly for a delimiter longer than one character (Mailchimp
    addresses are split on two spaces). Spark's split() takes a regular expression, so the
    delimiter is quoted (\Q…\E); element_at() takes negative positions and gives null out of range. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    element_at(split({{ string_text }}, concat('\\Q', {{ delimiter_text }}, '\\E'), -1), {{ part_number }})
{%- endmacro %}

{#- listagg: dbt-spark ignores order_by_clause (collect_list has no order), so the list comes out
    in whatever order the shuffle delivered. Here the values are collected with their sort keys and
    sorted: `order by <expression> [asc|desc]` (one key) is supported, as DuckDB orders it. Nulls
    are skipped, as string_agg does. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- if order_by_clause -%}
        {%- set clause = order_by_clause | trim -%}
        {%- set parsed = modules.re.match('(?is)^order\\s+by\\s+(.+?)(\\s+(asc|desc))?$', clause) -%}
        {%- if parsed is none or ',' in parsed.group(1) -%}
            {{ exceptions.raise_compiler_error(
                "listagg on Spark supports one sort key ('order by <expression> [asc|desc]'), got: "
                ~ order_by_clause) }}
        {%- endif -%}
        {%- set ascending = 'false' if (parsed.group(3) or '') | lower == 'desc' else 'true' -%}
        {%- set collected -%}
            transform(
                sort_array(
                    collect_list(case when {{ measure }} is not null
                        then named_struct('sort_key', {{ parsed.group(1) }}, 'value', {{ measure }}) end),
                    {{ ascending }}
                ),
                entry -> entry.value
            )
        {%- endset -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}

{#- datediff: DuckDB's date_diff counts the boundaries crossed between the two timestamps
    (10:59 → 12:01 is 2 hours), dbt-spark's rounds the elapsed seconds away from zero (1:02 → 2)
    and so disagrees whenever the minutes of the two ends differ. For hour, minute and second the
    boundaries are counted here on epoch seconds, which is the UTC wall clock because the session
    time zone is UTC (profiles.yml). Other date parts keep dbt-spark's implementation. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1} -%}
    {%- if datepart | lower in seconds -%}
        {%- set unit = seconds[datepart | lower] -%}
        (floor(unix_timestamp({{ second_date }}) / {{ unit }}) - floor(unix_timestamp({{ first_date }}) / {{ unit }}))
    {%- else -%}
        {{ return(dbt.spark__datediff(first_date, second_date, datepart)) }}
    {%- endif -%}
{%- endmacro %}
