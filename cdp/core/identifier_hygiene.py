"""Identifier hygiene: how a raw email or phone is cleaned before anything compares it.

The one Python definition (docs/identity.md, "Identifier hygiene"); the dbt macros
`normalise_email` and `phone_lookup_key` (dbt_project/macros/identity/normalise_identifiers.sql)
are its SQL twin, and both are checked against the same case table,
`dbt_project/seeds/identifier_hygiene_cases.csv`. The patterns are RE2 and run through pyarrow's
RE2, the engine DuckDB uses too, so the two agree character for character.

Emails: every Unicode space, control and invisible format character is removed wherever it is
(tab, newline, no-break space, zero-width space and joiners, word joiner, BOM, soft hyphen);
an address in angle brackets is taken out of them (`Jane <jane@x.com>`); surrounding quotes and
a leading `mailto:` (any case) go; the rest is lower-cased. Phones: the same invisible
characters, surrounding quotes, a spreadsheet's leading apostrophe and `tel:` go; the result is
the key under which ingestion stores the `phonenumbers` parse (`raw.phone_numbers.raw_phone`).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

INVISIBLE = r"[\p{Z}\p{Cc}\p{Cf}]"
ANGLE_ADDRESS = r"^.*<([^<>]*)>.*$"
_QUOTES = "\"'\u2018\u2019\u201c\u201d"
EMAIL_WRAPPING = rf"^([{_QUOTES}]|(?i:mailto:))+|[{_QUOTES}]+$"
PHONE_WRAPPING = rf"^([{_QUOTES}]|(?i:tel:))+|[{_QUOTES}]+$"

# SQL functions registered on a DuckDB connection by `register_sql_functions`.
SQL_EMAIL = "cdp_normalise_email"
SQL_PHONE_KEY = "cdp_phone_lookup_key"


def _as_array(values: pa.Array | pa.ChunkedArray | Iterable[str | None]) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(list(values), type=pa.string())


def normalise_emails(values: pa.Array | pa.ChunkedArray | Iterable[str | None]) -> pa.Array:
    """Cleaned, lower-cased emails (null stays null; a value of only invisible characters
    becomes '')."""
    cleaned = pc.replace_substring_regex(_as_array(values), INVISIBLE, "")
    cleaned = pc.replace_substring_regex(cleaned, ANGLE_ADDRESS, r"\1")
    cleaned = pc.replace_substring_regex(cleaned, EMAIL_WRAPPING, "")
    return pc.utf8_lower(cleaned)


def phone_lookup_keys(values: pa.Array | pa.ChunkedArray | Iterable[str | None]) -> pa.Array:
    """Phone texts as the keys of `raw.phone_numbers` (null stays null)."""
    cleaned = pc.replace_substring_regex(_as_array(values), INVISIBLE, "")
    return pc.replace_substring_regex(cleaned, PHONE_WRAPPING, "")


def normalise_email(value: object) -> str:
    """One cleaned email; '' for None."""
    if value is None:
        return ""
    return normalise_emails([str(value)])[0].as_py()


def phone_lookup_key(value: object) -> str:
    """One phone's lookup key; '' for None."""
    if value is None:
        return ""
    return phone_lookup_keys([str(value)])[0].as_py()


def register_sql_functions(conn: duckdb.DuckDBPyConnection) -> None:
    """Makes `cdp_normalise_email(text)` and `cdp_phone_lookup_key(text)` callable in SQL on
    this connection (vectorised over Arrow batches; a no-op when already registered)."""
    registered = {
        row[0]
        for row in conn.execute(
            "select function_name from duckdb_functions() where function_name in (?, ?)",
            [SQL_EMAIL, SQL_PHONE_KEY],
        ).fetchall()
    }
    for name, function in ((SQL_EMAIL, normalise_emails), (SQL_PHONE_KEY, phone_lookup_keys)):
        if name not in registered:
            conn.create_function(
                name, function, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False
            )
