"""Writes the `country` and `currency` rows of seeds/vocabulary_values.csv from CLDR.

Run once after a CLDR update (Babel ships CLDR; it is installed with dbt, so no extra
dependency): `.venv/bin/python dbt_project/scripts/generate_vocabulary_seed.py`. The output
is committed; nothing runs this at build time.

- country: ISO 3166-1 alpha-2 codes (CLDR territories), the alpha-3 codes CLDR lists as
  aliases of exactly one of them, and the country names in the Latin-script languages of
  LANGUAGES, plus a few common names CLDR does not use (COMMON_NAMES) → the alpha-2 code.
- currency: ISO 4217 codes (CLDR's currency list, historical ones included) and the names of
  the currencies in use today in the same languages (English also in the plural) → the code.

A token claimed by two different values at the same rank (codes before English names before
other names) is dropped rather than guessed. Rows of every other vocabulary (written by hand)
are kept as they are, after the generated ones.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.numbers import get_currency_name, list_currencies

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from ingestion.vocabulary import normalise_token  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "seeds" / "vocabulary_values.csv"
HEADER = ["vocabulary", "token", "canonical_value"]
GENERATED = ("country", "currency")
LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "pl")
# CLDR codes that are not countries: supranational groupings, unknown and pseudo regions.
NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}
# Names people and older exports write that CLDR's current names do not cover.
COMMON_NAMES = {
    "USA": "US", "U.S.": "US", "U.S.A.": "US", "United States of America": "US",
    "UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB",
    "England": "GB", "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
    "Holland": "NL", "The Netherlands": "NL", "Czech Republic": "CZ", "Turkey": "TR",
    "Russia": "RU", "South Korea": "KR", "Korea": "KR", "Republic of Korea": "KR",
    "North Korea": "KP", "Vietnam": "VN", "Ivory Coast": "CI", "Swaziland": "SZ",
    "Macedonia": "MK", "Burma": "MM", "Cape Verde": "CV", "East Timor": "TL",
    "Vatican": "VA", "Vatican City": "VA", "UAE": "AE", "Iran": "IR", "Syria": "SY",
    "Laos": "LA", "Moldova": "MD", "Tanzania": "TZ", "Bolivia": "BO", "Venezuela": "VE",
    "Taiwan": "TW", "Palestine": "PS", "Brunei": "BN", "Micronesia": "FM",
    "Congo-Kinshasa": "CD", "DR Congo": "CD", "DRC": "CD", "Congo-Brazzaville": "CG",
    "Hong Kong": "HK", "Macau": "MO", "Macao": "MO",
}  # fmt: skip


def _claim(claims: dict[str, dict[int, set[str]]], raw: str | None, value: str, rank: int) -> None:
    token = normalise_token(raw)
    if token:
        claims[token][rank].add(value)


def _resolve(claims: dict[str, dict[int, set[str]]]) -> dict[str, str]:
    """Each token → the value of its best rank, unless that rank is ambiguous."""
    resolved = {}
    for token, by_rank in claims.items():
        best = by_rank[min(by_rank)]
        if len(best) == 1:
            resolved[token] = next(iter(best))
    return resolved


def countries() -> dict[str, str]:
    english = Locale("en").territories
    codes = {c for c in english if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES}
    claims: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for code in codes:
        _claim(claims, code, code, 0)
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(targets) == 1 and targets[0] in codes:
            _claim(claims, alias, targets[0], 1)
    for code in codes:
        _claim(claims, english[code], code, 2)
    for name, code in COMMON_NAMES.items():
        _claim(claims, name, code, 3)
    for language in LANGUAGES[1:]:
        names = Locale(language).territories
        for code in codes:
            _claim(claims, names.get(code), code, 4)
    return _resolve(claims)


def _current_currencies() -> set[str]:
    """Currencies some territory uses as legal tender today (no end date in CLDR)."""
    return {
        code
        for uses in get_global("territory_currencies").values()
        for code, _start, end, tender in uses
        if tender and end is None
    }


def currencies() -> dict[str, str]:
    codes = {c for c in list_currencies() if len(c) == 3 and c.isalpha()}
    claims: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for code in codes:
        _claim(claims, code, code, 0)
    current = sorted(_current_currencies() & codes)
    for language in LANGUAGES:
        rank = 1 if language == "en" else 2
        for code in current:
            for count in (1, 2) if language == "en" else (1,):
                _claim(claims, get_currency_name(code, count=count, locale=language), code, rank)
    return _resolve(claims)


def main() -> None:
    kept: list[list[str]] = []
    if SEED.exists():
        with SEED.open(newline="", encoding="utf-8") as handle:
            kept = [row for row in csv.reader(handle)][1:]
    kept = [row for row in kept if row and row[0] not in GENERATED]
    rows = [["country", token, code] for token, code in sorted(countries().items())]
    rows += [["currency", token, code] for token, code in sorted(currencies().items())]
    with SEED.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows + kept)
    print(f"{SEED}: {len(rows)} generated rows, {len(kept)} kept")


if __name__ == "__main__":
    main()
