{#- The one definition of a normalised email, shared by the identity graph and every join on
    email (email activity, consent), so they can never disagree. -#}
{% macro normalise_email(expression) -%}
    lower(trim({{ expression }}))
{%- endmacro %}

{#- A plausible address: one @, no spaces, a dot in the domain and a 2+ letter top-level domain. -#}
{% macro is_plausible_email(normalised_expression) -%}
    {{ cdp.matches_regex(normalised_expression, "'^[^@[:space:]]+@[^@[:space:]]+[.][a-z]{2,}$'") }}
{%- endmacro %}

{#- Staging's cleaned phone text, keyed like raw.phone_numbers (trimmed, no leading apostrophe). -#}
{% macro phone_lookup_key(expression) -%}
    trim({{ expression }})
{%- endmacro %}

{#- An identifier as one text, `<type>:<value>` (for people reading it and for hashing a new
    person id); joins use the (identifier_type, identifier_value) pair instead. -#}
{% macro identifier_key(type_expression='identifier_type', value_expression='identifier_value') -%}
    {{ dbt.concat([type_expression, "':'", value_expression]) }}
{%- endmacro %}
