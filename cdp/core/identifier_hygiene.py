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
Source record ids (Shopify, Square customer and order ids) are trimmed, lose a spreadsheet's
leading apostrophe and a GraphQL global id's `gid://<app>/<Type>/` prefix (the staging macros
`shopify_id` and `strip_leading_apostrophe`); other ids (Mailchimp's, tracker ids) are trimmed.
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
GLOBAL_ID_PREFIX = r"^gid://[^/]+/[^/]+/"

# SQL functions registered on a DuckDB connection by `register_sql_functions`.
SQL_EMAIL = "cdp_normalise_email"
SQL_PHONE_KEY = "cdp_phone_lookup_key"
SQL_SOURCE_ID = "cdp_source_id"
SQL_TRIMMED_ID = "cdp_trimmed_id"


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


def trimmed_ids(values: pa.Array | pa.ChunkedArray | Iterable[str | None]) -> pa.Array:
    """Ids with the surrounding spaces removed (SQL `trim`)."""
    return pc.utf8_trim(_as_array(values), " ")


def source_ids(values: pa.Array | pa.ChunkedArray | Iterable[str | None]) -> pa.Array:
    """Source record ids as the identity layer keys them: trimmed, without a spreadsheet's
    leading apostrophe (`'7614304534787`) or a GraphQL global id's prefix
    (`gid://shopify/Customer/7614304534787`)."""
    cleaned = pc.utf8_ltrim(trimmed_ids(values), "'")
    return pc.replace_substring_regex(cleaned, GLOBAL_ID_PREFIX, "")


# Cleaned emails by raw text: one Arrow call per value costs more than the cleaning, so callers
# working row by row (exports) clean a batch first (`prime_normalised_emails`).
_NORMALISED_EMAILS: dict[str, str] = {}
_NORMALISED_EMAILS_MAX = 500_000


def normalise_email(value: object) -> str:
    """One cleaned email; '' for None."""
    if value is None:
        return ""
    raw = str(value)
    found = _NORMALISED_EMAILS.get(raw)
    if found is None:
        found = normalise_emails([raw])[0].as_py()
    return found


def prime_normalised_emails(values: Iterable[object]) -> None:
    """Cleans every value (as given and trimmed) in one Arrow call, so that `normalise_email`
    on them is a dictionary look-up."""
    raws = {str(v) for v in values if v is not None}
    raws |= {raw.strip() for raw in raws}
    missing = [raw for raw in raws if raw not in _NORMALISED_EMAILS]
    if not missing:
        return
    if len(_NORMALISED_EMAILS) + len(missing) > _NORMALISED_EMAILS_MAX:
        _NORMALISED_EMAILS.clear()
    _NORMALISED_EMAILS.update(zip(missing, normalise_emails(missing).to_pylist(), strict=True))


def phone_lookup_key(value: object) -> str:
    """One phone's lookup key; '' for None."""
    if value is None:
        return ""
    return phone_lookup_keys([str(value)])[0].as_py()


def register_sql_functions(conn: duckdb.DuckDBPyConnection) -> None:
    """Makes the functions above callable in SQL on this connection as `cdp_normalise_email`,
    `cdp_phone_lookup_key`, `cdp_source_id` and `cdp_trimmed_id` (vectorised over Arrow batches;
    a no-op when already registered)."""
    functions = {
        SQL_EMAIL: normalise_emails,
        SQL_PHONE_KEY: phone_lookup_keys,
        SQL_SOURCE_ID: source_ids,
        SQL_TRIMMED_ID: trimmed_ids,
    }
    registered = {
        row[0]
        for row in conn.execute(
            "select function_name from duckdb_functions() where list_contains(?, function_name)",
            [list(functions)],
        ).fetchall()
    }
    for name, function in functions.items():
        if name not in registered:
            conn.create_function(
                name, function, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False
            )
