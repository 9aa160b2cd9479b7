"""The Splink settings: how candidate pairs are found and how two records are compared.

Blocking keeps the number of pairs linear in the records: every rule is an equi-join on a key
that few records share (a postcode with both initials, a postcode and street number, a birth
date and a surname initial, the last 7 digits of a phone, an email's local part, the full name,
a surname with a given initial in one city, and given and family names written the other way
round). Comparisons follow Splink's documented
comparison library: Jaro-Winkler levels on names with term-frequency adjustments (a match on
`smith` says less than one on `zbinden`), birthday with or without a year (Mailchimp's
Birthday merge field has none), street number and name, city, postcode, email and phone.
Emails are compared on exact levels only: Splink's fuzzy email levels link namesakes with
look-alike addresses (`felicity.white42@…` / `felicity.white54@…`), measured in
benchmarks/probabilistic_febrl.py.
"""

from __future__ import annotations

from typing import Any

# The columns of int_identity_candidate_records that Splink reads.
RECORD_COLUMNS = (
    "record_key",
    "first_name",
    "last_name",
    "street_number",
    "street_name",
    "city",
    "postcode",
    "birth_date",
    "birth_month_day",
    "email",
    "email_local",
    "phone",
    "phone_last7",
)


def blocking_rules() -> list[Any]:
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    # Each key must stay rare as the data grows: a last name and a first initial alone made
    # 87 % of the comparisons at a million records (`smith` + `j` is half a million pairs,
    # benchmarks/README.md), so names block together with a place or in full.
    return [
        block_on("postcode", "substr(last_name, 1, 1)", "substr(first_name, 1, 1)"),
        block_on("postcode", "street_number"),
        block_on("birth_date", "substr(last_name, 1, 1)"),
        block_on("phone_last7"),
        block_on("email_local"),
        block_on("last_name", "first_name"),
        block_on("last_name", "substr(first_name, 1, 1)", "city"),
        # Given and family names swapped (`Jacob White` / `White Jacob`).
        CustomRule("l.first_name = r.last_name and l.last_name = r.first_name"),
    ]


def _birthday():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        [
            cll.NullLevel("birth_month_day"),
            cll.CustomLevel("birth_date_l = birth_date_r", "same date of birth"),
            cll.CustomLevel(
                "damerau_levenshtein(birth_date_l, birth_date_r) <= 1",
                "date of birth one digit apart",
            ),
            cll.CustomLevel(
                "birth_month_day_l = birth_month_day_r", "same birthday (month and day)"
            ),
            cll.ElseLevel(),
        ],
        output_column_name="birthday",
    )


def _email():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        [
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email"),
            cll.ExactMatchLevel("email_local"),
            cll.ElseLevel(),
        ],
        output_column_name="email",
    )


def settings(link_type: str = "dedupe_only"):
    """A fresh, untrained SettingsCreator (`cdp match train` estimates its parameters)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator

    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="record_key",
        blocking_rules_to_generate_predictions=blocking_rules(),
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
            _birthday(),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("street_name", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("city", [0.9]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("postcode", [1]),
            _email(),
            cl.DamerauLevenshteinAtThresholds("phone", [1, 2]),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )
