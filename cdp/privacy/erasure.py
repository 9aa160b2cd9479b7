"""`forget_identifier`: erase a person from the warehouse, inside the caller's transaction.

The person is every identifier the identity registry links to the one given; their raw rows go
(`raw_tables`), then the phone lookup entries, then their rows in every dbt-built table
(`dbt_tables`), and a tombstone per identifier keeps them out of later loads (`tombstones`,
`reimport`).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import duckdb

from cdp.core.identifier_hygiene import register_sql_functions
from cdp.privacy.dbt_tables import scrub_dbt_tables, scrub_scored_pairs
from cdp.privacy.identifier_columns import IdentifierColumns, load_identifier_columns
from cdp.privacy.identifiers import normalise_input
from cdp.privacy.raw_tables import delete_person_rows
from cdp.privacy.report import ForgetReport
from cdp.privacy.sql import base_tables, delete_where, marks
from cdp.privacy.tombstones import add_tombstones, ensure_tombstones
from ingestion.phone_lookup import LOOKUP_TABLE

# The table behind the `person_identifiers` view: identifier pair -> person_id.
REGISTRY_TABLE = "marts.identity_person_registry"


def forget_identifier(
    conn: duckdb.DuckDBPyConnection,
    value: str,
    default_region: str,
    forgotten_at: datetime,
    columns: IdentifierColumns | None = None,
) -> ForgetReport:
    """Erases the person behind `value` (an email or phone). `columns`: where identifiers live,
    read from the dbt manifest unless given."""
    columns = columns or load_identifier_columns()
    identifier_type, normalised = normalise_input(value, default_region)
    register_sql_functions(conn)
    report = ForgetReport(identifier_type, normalised)
    tables = base_tables(conn)
    raw_tables = tables.get("raw", {})
    report.person_ids, report.identifiers = _person(
        conn, "identity_person_registry" in tables.get("marts", {}), identifier_type, normalised
    )
    by_type: dict[str, list[str]] = {}
    for kind, ident in report.identifiers:
        by_type.setdefault(kind, []).append(ident)
    phones = by_type.get("phone", [])
    has_lookup = "phone_numbers" in raw_tables
    raw_phones = _raw_phones(conn, phones) if phones and has_lookup else []
    ensure_tombstones(conn)
    delete_person_rows(conn, raw_tables, columns, by_type, raw_phones, report, forgotten_at)
    if phones and has_lookup:
        report.deleted[LOOKUP_TABLE] += delete_where(
            conn, LOOKUP_TABLE, f"phone_e164 in ({marks(phones)})", phones
        )
    scrub_dbt_tables(conn, tables, columns, report, by_type, raw_phones)
    scrub_scored_pairs(conn, tables, report)
    for kind, ident in report.identifiers:
        report.tombstones += add_tombstones(conn, kind, [ident], forgotten_at)
    report.deleted = Counter({t: n for t, n in report.deleted.items() if n})
    return report


def _person(
    conn: duckdb.DuckDBPyConnection, has_registry: bool, identifier_type: str, value: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """The person ids holding the identifier, and every identifier of theirs (sorted)."""
    identifiers: set[tuple[str, str]] = {(identifier_type, value)}
    if not has_registry:
        return [], sorted(identifiers)
    person_ids = [
        row[0]
        for row in conn.execute(
            f"select distinct person_id from {REGISTRY_TABLE} "
            "where identifier_type = ? and identifier_value = ? order by 1",
            [identifier_type, value],
        ).fetchall()
    ]
    if person_ids:
        identifiers |= set(
            conn.execute(
                f"select identifier_type, identifier_value from {REGISTRY_TABLE} "
                f"where person_id in ({marks(person_ids)})",
                person_ids,
            ).fetchall()
        )
    return person_ids, sorted(identifiers)


def _raw_phones(conn: duckdb.DuckDBPyConnection, phones: list[str]) -> list[str]:
    """The raw phone texts the lookup resolved to the person's E.164 numbers."""
    return [
        row[0]
        for row in conn.execute(
            f"select distinct raw_phone from {LOOKUP_TABLE} where phone_e164 in ({marks(phones)})",
            phones,
        ).fetchall()
    ]
