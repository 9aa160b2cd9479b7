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
