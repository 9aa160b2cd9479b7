{#- The normalised token of a vocabulary value (COMMON convention, also in
    ingestion/vocabulary.py for the Great Expectations suites): lower-case, accents removed
    (letters that do not decompose are spelled out: ß → ss, æ → ae, œ → oe, ø → o, ł → l,
    đ / ð → d, þ → th, ı → i), every run of characters other than a-z and 0-9 replaced by one
    `_`, no leading or trailing `_`. `Product Viewed`, `product_viewed` and ` PRODUCT-VIEWED `
    are all `product_viewed`; `Désabonné` is `desabonne`. Null stays null; text without a letter
    or digit gives ''. -#}
{% macro normalise_token(expression) -%}
    {{ return(adapter.dispatch('normalise_token', 'cdp')(expression)) }}
{%- endmacro %}

{#- The letters Unicode decomposition leaves whole, spelled out the same way on every engine. -#}
{% macro _spell_out_letters(expression) -%}
    {%- set spelled = expression -%}
    {%- for letter, spelling in [('ß', 'ss'), ('æ', 'ae'), ('œ', 'oe'), ('ø', 'o'), ('ł', 'l'),
                                 ('đ', 'd'), ('ð', 'd'), ('þ', 'th'), ('ı', 'i')] -%}
        {%- set spelled = "replace(" ~ spelled ~ ", '" ~ letter ~ "', '" ~ spelling ~ "')" -%}
    {%- endfor -%}
    {{ spelled }}
{%- endmacro %}

{#- DuckDB: strip_accents removes every combining mark (NFD). -#}
{% macro default__normalise_token(expression) -%}
    regexp_replace(
        regexp_replace(
            strip_accents({{ cdp._spell_out_letters('lower(' ~ expression ~ ')') }}),
            '[^a-z0-9]+', '_', 'g'
        ),
        '^_+|_+$', '', 'g'
    )
{%- endmacro %}

{#- Spark has no strip_accents: translate() maps the accented letters of the Latin-1 Supplement
    and Latin Extended-A blocks (every Western and Central European language) to their base
    letter; regexp_replace replaces every match and takes no flags argument. -#}
{% macro spark__normalise_token(expression) -%}
    {%- set accented = 'àáâãäåāăąçćĉċčďèéêëēĕėęěĝğġģĥĩìíîïīĭįĵķĺļľñńņňòóôõöōŏőŕŗřśŝşšţťũùúûüūŭůűųŵýÿŷźżž' -%}
    {%- set plain    = 'aaaaaaaaacccccdeeeeeeeeegggghiiiiiiiijklllnnnnoooooooorrrssssttuuuuuuuuuuwyyyzzz' -%}
    regexp_replace(
        regexp_replace(
            translate({{ cdp._spell_out_letters('lower(' ~ expression ~ ')') }}, '{{ accented }}', '{{ plain }}'),
            '[^a-z0-9]+', '_'
        ),
        '^_+|_+$', ''
    )
{%- endmacro %}
