"""The loader's hook: forgotten people stay forgotten when an old export is loaded again.

After a file's rows are inserted (same transaction, after its manifest entry is recorded),
rows carrying a tombstoned identifier are deleted again and counted in the ingestion manifest
(`rows_quarantined`). Order children (line items, refunds) whose order id is tombstoned are
dropped too; orders dropped here have their ids tombstoned, and the children other files loaded
before go with them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from cdp.core.identifier_hygiene import register_sql_functions
from cdp.core.phone_numbers import to_e164
from cdp.privacy.identifier_columns import IdentifierColumns, load_identifier_columns
from cdp.privacy.identifiers import ORDER_ID, identifier_hash, normalised_sql
from cdp.privacy.raw_tables import (
    ORDER_PARENT,
    erase_tombstoned_orders,
    move_to_quarantined,
    order_columns,
    order_ids,
    order_tombstoned,
)
from cdp.privacy.sql import base_tables, column_exists, delete_where, marks
from cdp.privacy.tombstones import (
    TOMBSTONES_TABLE,
    add_tombstones,
    tombstoned_hashes,
    tombstoned_sql,
    tombstones_exist,
)
from ingestion.sources import SourceSpec

DROPPED_NOTE = "{n} row(s) dropped: they belong to a forgotten person (meta.tombstones)"
DROPPED_CHILD_NOTE = (
    "{n} row(s) dropped: their order belongs to a forgotten person (meta.tombstones)"
)


def drop_tombstoned_rows(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    relative: str,
    default_region: str | None = None,
    columns: IdentifierColumns | None = None,
) -> int:
    """Deletes the file's freshly inserted rows that carry a tombstoned identifier; returns how
    many (with the file's quarantined records that mention a forgotten email)."""
    if not tombstones_exist(conn):
        return 0
    columns_by_type = (columns or load_identifier_columns()).raw_types(spec.table)
    own_order_columns = order_columns(spec.table)
    if not (columns_by_type or own_order_columns):
        return 0
    register_sql_functions(conn)
    raw_columns = set(spec.columns)
    clauses = [order_tombstoned(c) for c in own_order_columns if c in raw_columns]
    params: list[str] = []
    for kind, names in columns_by_type.items():
        for column in names:
            if column not in raw_columns:
                continue
            if kind == "phone":
                # Phones are tombstoned in E.164, which only the parser gives.
                region = default_region or _default_region()
                matched = _tombstoned_phones(conn, spec.table, column, relative, region)
                if matched:
                    clauses.append(f'"{column}" in ({marks(matched)})')
                    params += matched
                continue
            clauses.append(tombstoned_sql(normalised_sql(kind, column), kind))
    # Unparseable records of the file that mention a forgotten email: already counted as
    # quarantined, so only their stored raw text goes.
    quarantined = _drop_quarantined(conn, spec.table, relative)
    if not clauses:
        return quarantined
    where = f"_source_file = ? and ({' or '.join(clauses)})"
    dropped_orders = []
    if ORDER_PARENT[1] in raw_columns:
        dropped_orders = order_ids(conn, spec.table, where, [relative, *params])
    dropped = delete_where(conn, f"raw.{spec.table}", where, [relative, *params])
    if dropped_orders:
        # Children of these orders that other files (or assets) loaded first go with them.
        add_tombstones(conn, ORDER_ID, dropped_orders, datetime.now(UTC))
        erase_tombstoned_orders(
            conn, base_tables(conn).get("raw", {}), DROPPED_CHILD_NOTE, skip=spec.table
        )
    if dropped:
        move_to_quarantined(conn, spec.table, relative, dropped, DROPPED_NOTE.format(n=dropped))
    return dropped + quarantined


def _default_region() -> str:
    from cdp.core.settings import Settings

    return Settings.from_env().default_phone_region


def _drop_quarantined(conn: duckdb.DuckDBPyConnection, table: str, relative: str) -> int:
    """Quarantined records of the file whose raw text holds a tombstoned email address."""
    if not column_exists(conn, "raw", "quarantined_rows", "raw_text"):
        return 0
    return delete_where(
        conn,
        "raw.quarantined_rows",
        "source_table = ? and source_file = ? and list_has_any("
        "list_transform(regexp_extract_all(lower(raw_text), '[a-z0-9._%+\\-]+@[a-z0-9.\\-]+'), "
        "lambda e: sha256(e)), (select coalesce(list(identifier_sha256), []) from "
        f"{TOMBSTONES_TABLE} where identifier_type = 'email'))",
        [table, relative],
    )


def _tombstoned_phones(
    conn: duckdb.DuckDBPyConnection, table: str, column: str, relative: str, region: str
) -> list[str]:
    """Raw phone texts of the file (exactly as loaded) whose E.164 form is tombstoned."""
    tombstoned = tombstoned_hashes(conn, "phone")
    if not tombstoned:
        return []
    raw_values = conn.execute(
        f"""select distinct "{column}" from raw.{table} """
        f'where _source_file = ? and "{column}" is not null',
        [relative],
    ).fetchall()
    matched = []
    for (raw,) in raw_values:
        e164, _ = to_e164(raw, region) if raw else (None, False)
        if e164 and identifier_hash(e164) in tombstoned:
            matched.append(raw)
    return matched
