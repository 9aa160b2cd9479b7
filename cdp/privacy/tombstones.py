"""Tombstones: `meta.tombstones(identifier_type, identifier_sha256, forgotten_at)`, one per
erased identifier, a hash, never the value. They keep a forgotten person out of later loads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb

from cdp.privacy.identifiers import identifier_hash
from cdp.privacy.sql import table_exists

TOMBSTONES_TABLE = "meta.tombstones"


def ensure_tombstones(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists meta")
    conn.execute(
        f"create table if not exists {TOMBSTONES_TABLE} (identifier_type varchar not null, "
        "identifier_sha256 varchar not null, forgotten_at timestamp not null, "
        "primary key (identifier_type, identifier_sha256))"
    )


def tombstones_exist(conn: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(conn, "meta", "tombstones")


def add_tombstones(
    conn: duckdb.DuckDBPyConnection, identifier_type: str, values: Iterable[str], at: datetime
) -> int:
    """Records hashed tombstones; returns how many were new."""
    inserted = 0
    for value in values:
        inserted += len(
            conn.execute(
                f"insert into {TOMBSTONES_TABLE} values (?, ?, ?) on conflict do nothing "
                "returning identifier_type",
                [identifier_type, identifier_hash(value), at.replace(tzinfo=None)],
            ).fetchall()
        )
    return inserted


def tombstoned_sql(value_sql: str, identifier_type: str) -> str:
    """SQL: the (normalised) value is tombstoned under `identifier_type` (quoted as a literal)."""
    literal = identifier_type.replace("'", "''")
    return (
        f"sha256({value_sql}) in (select identifier_sha256 from {TOMBSTONES_TABLE} "
        f"where identifier_type = '{literal}')"
    )


def tombstoned_hashes(conn: duckdb.DuckDBPyConnection, identifier_type: str) -> set[str]:
    return {
        row[0]
        for row in conn.execute(
            f"select identifier_sha256 from {TOMBSTONES_TABLE} where identifier_type = ?",
            [identifier_type],
        ).fetchall()
    }
