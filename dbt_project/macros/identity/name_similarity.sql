{#- How alike two cleaned first names are, for the name-conflict guard
    (int_identity_name_conflicts; docs/identity.md, "Names that disagree").

    `name_similarity`: Jaro-Winkler similarity in [0, 1] (1 = identical). DuckDB has it built in
    (`jaro_winkler_similarity`); Spark has no such function, so its body computes the same
    measure with higher-order functions, step for step as DuckDB's implementation does:
    match window max(len)/2 - 1, greedy matching left to right, transpositions = half the
    matched characters out of order, Winkler's bonus of 0.1 per common leading character (at
    most 4) when the Jaro similarity exceeds 0.7. tests/spark/test_name_similarity.py checks it
    against DuckDB.

    `within_one_edit`: one insertion, deletion, substitution or swap of two adjacent letters
    (Damerau-Levenshtein distance at most 1). DuckDB: `damerau_levenshtein`; Spark:
    `levenshtein` plus an explicit check for an adjacent swap. -#}

{% macro name_similarity(a, b) -%}
    {{ return(adapter.dispatch('name_similarity', 'cdp')(a, b)) }}
{%- endmacro %}

{% macro default__name_similarity(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__name_similarity(a, b) -%}
    {%- set window = 'greatest(cast(floor(greatest(length(' ~ a ~ '), length(' ~ b ~ ')) / 2) as int) - 1, 0)' -%}
    {#- State after scanning a: which positions of b are matched, and a's matched letters. -#}
    {%- set matched -%}
        aggregate(
            sequence(1, length({{ a }})),
            named_struct('used', array_repeat(false, length({{ b }})), 'letters', ''),
            (state, i) -> coalesce(
                try_element_at(transform(
                    slice(filter(
                        sequence(greatest(1, i - {{ window }}), least(length({{ b }}), i + {{ window }})),
                        j -> j >= 1 and j <= length({{ b }}) and j >= i - {{ window }} and j <= i + {{ window }}
                            and substr({{ b }}, j, 1) = substr({{ a }}, i, 1)
                            and not element_at(state.used, j)
                    ), 1, 1),
                    j -> named_struct(
                        'used', transform(state.used, (flag, k) -> flag or k + 1 = j),
                        'letters', concat(state.letters, substr({{ a }}, i, 1))
                    )
                ), 1),
                state
            )
        )
    {%- endset -%}
    {%- set jaro -%}
        transform(array({{ matched }}), state -> named_struct(
            'm', length(state.letters),
            'a_letters', state.letters,
            'b_letters', array_join(transform(sequence(1, length({{ b }})),
                k -> if(element_at(state.used, k), substr({{ b }}, k, 1), null)), '')
        ))[0]
    {%- endset -%}
    case
        when {{ a }} = {{ b }} then 1.0
        when length({{ a }}) = 0 or length({{ b }}) = 0 then 0.0
        else transform(array({{ jaro }}), s -> transform(array(
            case when s.m = 0 then 0.0 else (
                s.m / length({{ a }}) + s.m / length({{ b }})
                + (s.m - floor(size(filter(sequence(1, s.m),
                    k -> substr(s.a_letters, k, 1) <> substr(s.b_letters, k, 1))) / 2)) / s.m
            ) / 3.0 end),
            jaro -> case when jaro > 0.7 then jaro + 0.1 * size(filter(
                sequence(1, least(4, length({{ a }}), length({{ b }}))),
                k -> substr({{ a }}, 1, k) = substr({{ b }}, 1, k)
            )) * (1.0 - jaro) else jaro end
        )[0])[0]
    end
{%- endmacro %}

{% macro within_one_edit(a, b) -%}
    {{ return(adapter.dispatch('within_one_edit', 'cdp')(a, b)) }}
{%- endmacro %}

{% macro default__within_one_edit(a, b) -%}
    (damerau_levenshtein({{ a }}, {{ b }}) <= 1)
{%- endmacro %}

{% macro spark__within_one_edit(a, b) -%}
    (levenshtein({{ a }}, {{ b }}) <= 1
        or (length({{ a }}) = length({{ b }}) and length({{ a }}) >= 2 and exists(
            sequence(1, length({{ a }}) - 1),
            i -> concat(substr({{ a }}, 1, i - 1), substr({{ a }}, i + 1, 1), substr({{ a }}, i, 1),
                substr({{ a }}, i + 2)) = {{ b }}
        )))
{%- endmacro %}

{#- Two letters-only names are one spelling (a typo apart) under `identity_name_match`: one
    edit apart (both at least `one_edit_min_length` letters) or Jaro-Winkler similarity at
    least `min_similarity` (both at least 2 letters). Nicknames and initials are judged by the
    caller: they apply to given names only. -#}
{% macro spellings_agree(a, b) -%}
    {%- set name_match = var('identity_name_match') -%}
    ({{ a }} = {{ b }}
        or (least(length({{ a }}), length({{ b }})) >= {{ name_match.one_edit_min_length }}
            and {{ cdp.within_one_edit(a, b) }})
        or (least(length({{ a }}), length({{ b }})) >= 2
            and {{ cdp.name_similarity(a, b) }} >= {{ name_match.min_similarity }}))
{%- endmacro %}

{#- Two letters-only first names name one person by spelling alone: an initial and a name that
    starts with it (when `identity_name_match.initials`), or `spellings_agree`. Listed nicknames
    (seed `identity_name_equivalents`) need a join, done by the caller. -#}
{% macro first_names_agree(a, b) -%}
    {%- set name_match = var('identity_name_match') -%}
    (
        {%- if name_match.initials %}
        (length({{ a }}) = 1 and substr({{ b }}, 1, 1) = {{ a }})
        or (length({{ b }}) = 1 and substr({{ a }}, 1, 1) = {{ b }})
        or
        {%- endif %}
        {{ cdp.spellings_agree(a, b) }}
    )
{%- endmacro %}

{#- A first name as the name guards compare it: lower-case letters only (`J.` is `j`,
    `Mary-Jane` is `maryjane`), '' when nothing is left. -#}
{% macro name_letters(expression) -%}
    coalesce({{ cdp.regex_replace_all('lower(' ~ expression ~ ')', "'[^\\p{L}]'", "''") }}, '')
{%- endmacro %}
