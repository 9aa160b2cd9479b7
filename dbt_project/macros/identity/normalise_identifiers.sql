{#- Identifier hygiene: the one definition of a cleaned email and of a phone's lookup key
    (docs/identity.md, "Identifier hygiene"). The Python twin is cdp/core/identifier_hygiene.py
    (erasure, the suppression list, the phone lookup that ingestion fills); both are checked
    against the same case table, tests/fixtures/identifier_hygiene.csv (a dbt unit test in
    models/intermediate/identity/_identity__models.yml and tests/unit/test_identifier_hygiene.py).
    The patterns are RE2, which DuckDB and pyarrow both use; Spark gets them through
    `regex_replace_all` (Java regex reads them alike). Change a pattern in both places and add
    a row to the case table. -#}

{#- Every Unicode space separator (NBSP, ideographic space…), line / paragraph separator,
    control character (tab, newline, carriage return) and invisible format character
    (zero-width space and joiners, word joiner, BOM, soft hyphen). -#}
{% macro identifier_invisible_pattern() -%}
    '[\p{Z}\p{Cc}\p{Cf}]'
{%- endmacro %}

{#- The one definition of a normalised email, shared by the identity graph and every join on
    email (email activity, consent), so they can never disagree: invisible characters removed
    anywhere, the address inside angle brackets kept (`Jane <jane@x.com>`), surrounding quotes
    and a leading `mailto:` (any case) removed, lower-cased. -#}
{% macro normalise_email(expression) -%}
    lower({{ cdp.regex_replace_all(
        cdp.regex_replace_all(
            cdp.regex_replace_all(expression, cdp.identifier_invisible_pattern(), "''"),
            "'^.*<([^<>]*)>.*$'", "'\\1'"),
        "'^([\"''‘’“”]|(?i:mailto:))+|[\"''‘’“”]+$'", "''") }})
{%- endmacro %}

{#- A plausible address: one @, no spaces, a dot in the domain and a 2+ letter top-level domain. -#}
{% macro is_plausible_email(normalised_expression) -%}
    {{ cdp.matches_regex(normalised_expression, "'^[^@[:space:]]+@[^@[:space:]]+[.][a-z]{2,}$'") }}
{%- endmacro %}

{#- A phone's key in raw.phone_numbers (ingestion parses the key with `phonenumbers`):
    invisible characters removed anywhere, surrounding quotes, a spreadsheet's leading
    apostrophe and a `tel:` prefix (any case) removed. Digits, `+`, brackets and dashes stay:
    they are the parser's business. -#}
{% macro phone_lookup_key(expression) -%}
    {{ cdp.regex_replace_all(
        cdp.regex_replace_all(expression, cdp.identifier_invisible_pattern(), "''"),
        "'^([\"''‘’“”]|(?i:tel:))+|[\"''‘’“”]+$'", "''") }}
{%- endmacro %}

{#- An identifier as one text, `<type>:<value>` (for people reading it and for hashing a new
    person id); joins use the (identifier_type, identifier_value) pair instead. -#}
{% macro identifier_key(type_expression='identifier_type', value_expression='identifier_value') -%}
    {{ dbt.concat([type_expression, "':'", value_expression]) }}
{%- endmacro %}
