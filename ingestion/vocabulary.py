"""Known vocabularies of source values (dbt seed `vocabulary_values`), seen from Python.

A raw value is compared through its *normalised token*, the same definition as the dbt macro
`cdp.normalise_token` (dbt_project/macros/staging/normalise_token.sql): lower-case, accents
removed, letters that do not decompose spelled out (ß → ss, æ → ae, …), every run of characters
other than a-z and 0-9 replaced by one `_`, no leading or trailing `_`. The Great Expectations
suites (ingestion/validation.py) check a vocabulary column on these tokens, so `SUBSCRIBED`,
`subscribed` and ` Subscribed ` all pass and only a value staging turns into `unknown` warns.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "vocabulary_values.csv"

# Letters Unicode decomposition leaves whole (the dbt macro spells out the same ones).
SPELLED_OUT = {
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
}
_NOT_TOKEN = re.compile(r"[^a-z0-9]+")


def normalise_token(value: str | None) -> str | None:
    """The normalised token of `value` (None stays None; no letter or digit gives '')."""
    if value is None:
        return None
    text = value.lower()
    for letter, spelling in SPELLED_OUT.items():
        text = text.replace(letter, spelling)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _NOT_TOKEN.sub("_", text).strip("_")


def token_sql(column: str) -> str:
    """DuckDB SQL computing the token of a (quoted) column: the dbt macro's DuckDB body."""
    spelled = f"lower({column})"
    for letter, spelling in SPELLED_OUT.items():
        spelled = f"replace({spelled}, '{letter}', '{spelling}')"
    return (
        f"regexp_replace(regexp_replace(strip_accents({spelled}), '[^a-z0-9]+', '_', 'g'), "
        "'^_+|_+$', '', 'g')"
    )


@cache
def vocabularies(seed: Path = SEED) -> dict[str, dict[str, str]]:
    """{vocabulary: {token: canonical value}} from the seed (empty when it is missing)."""
    found: dict[str, dict[str, str]] = {}
    if not seed.exists():
        return found
    with seed.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["vocabulary"], {})[row["token"]] = row["canonical_value"]
    return found


def tokens(vocabulary: str) -> tuple[str, ...]:
    """The accepted tokens of one vocabulary, sorted."""
    return tuple(sorted(vocabularies().get(vocabulary, {})))
