{#- Export flags → boolean: yes/y/true/t/1 → true, no/n/false/f/0 → false (any case), else null. -#}
{% macro parse_yes_no(column) -%}
    {{ return(adapter.dispatch('parse_yes_no', 'cdp')(column)) }}
{%- endmacro %}

{% macro default__parse_yes_no(column) -%}
    case
        when lower(trim({{ column }})) in ('yes', 'y', 'true', 't', '1') then true
        when lower(trim({{ column }})) in ('no', 'n', 'false', 'f', '0') then false
    end
{%- endmacro %}
