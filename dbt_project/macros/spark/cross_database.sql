{#- Spark bodies of dbt's cross-database macros, where dbt-spark's own differ from what DuckDB
    (the reference engine) returns. A root-project `spark__<name>` takes precedence over the
    adapter's in `adapter.dispatch('<name>', 'dbt')`, so every `dbt.<name>(...)` in the project
    picks these up on Spark; DuckDB is unaffected. -#}

{#- split_part: DuckDB's is string_split(text, delimiter)[n]: the delimiter is plain text, n
    counts from 1, a negative n counts from the end, and a part that does not exist is null.
    dbt-spark's counts from the end wrongly for a delimiter longer than one character (Mailchimp
    addresses are split on two spaces). Spark's split() takes a regular expression, so the
    delimiter is quoted (\Q…\E); try_element_at() counts from the end for a negative position
    and gives null out of range. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    try_element_at(split({{ string_text }}, concat('\\Q', {{ delimiter_text }}, '\\E'), -1), {{ part_number }})
{%- endmacro %}

{#- listagg: dbt-spark ignores order_by_clause (collect_list has no order), so the list comes out
    in whatever order the shuffle delivered. Here each value is collected with its sort keys and
    the array is sorted with a comparator: any number of keys, each `asc` or `desc`, nulls last
    unless `nulls first` (DuckDB's default order). Ties are broken on the value itself, so the
    result does not depend on the shuffle. Null values are skipped, as string_agg skips them. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set keys = cdp._listagg_sort_keys(order_by_clause) -%}
        {%- set struct_fields = [] -%}
        {%- for key in keys -%}
            {%- do struct_fields.append("'k" ~ loop.index ~ "', " ~ key.expression) -%}
        {%- endfor -%}
        {%- set comparisons = [] -%}
        {%- for key in keys -%}
            {%- set l = 'l.k' ~ loop.index -%}
            {%- set r = 'r.k' ~ loop.index -%}
            {%- set null_side = -1 if key.nulls_first else 1 -%}
            {%- set lower_side = 1 if key.descending else -1 -%}
            {%- do comparisons.append(
                'when ' ~ l ~ ' is null and ' ~ r ~ ' is not null then ' ~ null_side
                ~ ' when ' ~ l ~ ' is not null and ' ~ r ~ ' is null then ' ~ (-null_side)
                ~ ' when ' ~ l ~ ' < ' ~ r ~ ' then ' ~ lower_side
                ~ ' when ' ~ l ~ ' > ' ~ r ~ ' then ' ~ (-lower_side)) -%}
        {%- endfor -%}
        {%- set collected -%}
            transform(
                array_sort(
                    collect_list(case when {{ measure }} is not null
                        then named_struct({{ struct_fields | join(', ') }}, 'value', {{ measure }}) end),
                    (l, r) -> case {{ comparisons | join(' ') }}
                        when l.value < r.value then -1 when l.value > r.value then 1 else 0 end
                ),
                entry -> entry.value
            )
        {%- endset -%}
    {%- else -%}
        {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}

{#- `order by a, lower(b) desc nulls first` → [{expression, descending, nulls_first}, ...];
    commas inside parentheses or quotes do not separate keys. -#}
{% macro _listagg_sort_keys(order_by_clause) -%}
    {%- set body = modules.re.sub('(?is)^\\s*order\\s+by\\s+', '', order_by_clause | trim) -%}
    {%- set state = namespace(depth=0, quote=none, current='', parts=[]) -%}
    {%- for character in body -%}
        {%- if state.quote is not none -%}
            {%- if character == state.quote -%}{%- set state.quote = none -%}{%- endif -%}
        {%- elif character in ["'", '"', '`'] -%}
            {%- set state.quote = character -%}
        {%- elif character == '(' -%}
            {%- set state.depth = state.depth + 1 -%}
        {%- elif character == ')' -%}
            {%- set state.depth = state.depth - 1 -%}
        {%- endif -%}
        {%- if character == ',' and state.depth == 0 and state.quote is none -%}
            {%- set state.parts = state.parts + [state.current] -%}
            {%- set state.current = '' -%}
        {%- else -%}
            {%- set state.current = state.current ~ character -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set state.parts = state.parts + [state.current] -%}
    {%- set keys = [] -%}
    {%- for part in state.parts -%}
        {%- set parsed = modules.re.match(
            '(?is)^(.+?)(\\s+(asc|desc))?(\\s+nulls\\s+(first|last))?$', part | trim) -%}
        {%- do keys.append({
            'expression': parsed.group(1),
            'descending': (parsed.group(3) or '') | lower == 'desc',
            'nulls_first': (parsed.group(5) or '') | lower == 'first'
        }) -%}
    {%- endfor -%}
    {{ return(keys) }}
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
