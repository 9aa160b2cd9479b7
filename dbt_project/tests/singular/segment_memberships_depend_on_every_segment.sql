{#- segment_memberships reads the history that every segment's post-hook writes, so it must be
    built after all of them: one row per model with meta.segment that it does not ref (add a
    `-- depends_on: {{ ref('<segment model>') }}` line to models/marts/segments/segment_memberships.sql). -#}

{#- The asset check Dagster shows on segment_memberships (dagster-dbt reads meta.dagster.ref). -#}
{{ config(meta={'dagster': {'ref': {'name': 'segment_memberships'}}}) }}

-- depends_on: {{ ref('segment_memberships') }}

{%- set missing = [] -%}
{%- if execute -%}
    {%- set memberships = graph.nodes['model.cdp.segment_memberships'] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- set meta = node.config.get('meta', {}) or {} -%}
        {%- if node.resource_type == 'model' and meta.get('segment')
            and node.unique_id not in memberships.depends_on.nodes -%}
            {%- do missing.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

{% if missing -%}
    {%- for name in missing %}
select '{{ name }}' as segment_model_not_referenced
        {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
{%- else -%}
select cast(null as {{ dbt.type_string() }}) as segment_model_not_referenced
where 1 = 0
{%- endif %}
