"""Small SQL helpers shared by the erasure modules."""

from __future__ import annotations

from collections.abc import Iterable

import duckdb


def base_tables(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, set[str]]]:
    """schema -> base table -> columns (views are left out: they read tables already cleaned)."""
    result: dict[str, dict[str, set[str]]] = {}
    for schema, table, column in conn.execute(
        "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where t.table_type = 'BASE TABLE'"
    ).fetchall():
        result.setdefault(schema, {}).setdefault(table, set()).add(column)
    return result


def table_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def column_exists(conn: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    found = conn.execute(
        "select count(*) from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = ?",
        [schema, table, column],
    ).fetchone()
    return bool(found and found[0])


def marks(values: Iterable[object]) -> str:
    """Placeholders for an `in (...)` list (`null` for none, which matches nothing)."""
    return ", ".join("?" for _ in values) or "null"


def delete_where(conn: duckdb.DuckDBPyConnection, table: str, where: str, params: list) -> int:
    """Deletes the matching rows; returns how many."""
    return len(conn.execute(f"delete from {table} where {where} returning 1", params).fetchall())
