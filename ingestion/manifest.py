"""The ingestion manifest: every file seen, what became of it, and the raw tables' DDL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from cdp.core.warehouse import create_table_if_missing
from ingestion.sources import SourceSpec

MANIFEST_TABLE = "meta.ingested_files"


@dataclass(frozen=True)
class FileRecord:
    source_table: str
    file_path: str
    size_bytes: int
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str  # loaded | unchanged | duplicate | rejected
    """loaded: in raw (rows_read = rows_loaded + rows_quarantined); unchanged: same path and
    content loaded before; duplicate: same content under another path; rejected: nothing of
    the file loaded, `message` says why."""
    message: str
    loaded_at: datetime


def ensure_meta_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """The manifest, `raw.quarantined_rows` and `meta.validation_results`."""
    from ingestion import quarantine, validation

    quarantine.ensure_table(conn)
    validation.ensure_table(conn)
    create_table_if_missing(
        conn,
        MANIFEST_TABLE,
        """
            source_table varchar not null,
            file_path varchar not null,
            size_bytes bigint,
            sha256 varchar,
            rows_read bigint,
            rows_loaded bigint,
            rows_quarantined bigint,
            status varchar not null,
            message varchar,
            loaded_at timestamp not null,
            primary key (source_table, file_path)
        """,
    )


def ensure_raw_table(conn: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    columns = ", ".join(f'"{c}" varchar' for c in spec.columns)
    conn.execute(
        f"create table if not exists raw.{spec.table} ({columns}, _extra varchar, "
        "_source_file varchar not null, _source_row bigint not null, "
        "_file_sha256 varchar not null, _loaded_at timestamp not null)"
    )
    # A warehouse made before a format gained raw columns (a header variant, a tracker's
    # fields) gets them added, empty for the rows loaded before.
    existing = {
        name
        for (name,) in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [spec.table],
        ).fetchall()
    }
    for column in spec.columns:
        if column not in existing:
            conn.execute(f'alter table raw.{spec.table} add column "{column}" varchar')


def loaded_sha(conn: duckdb.DuckDBPyConnection, table: str, file_path: str) -> str | None:
    row = conn.execute(
        f"select sha256 from {MANIFEST_TABLE} where source_table = ? and file_path = ? "
        "and status = 'loaded'",
        [table, file_path],
    ).fetchall()
    return row[0][0] if row else None


def path_with_same_content(conn: duckdb.DuckDBPyConnection, table: str, sha: str) -> str | None:
    row = conn.execute(
        f"select file_path from {MANIFEST_TABLE} where source_table = ? and sha256 = ? "
        "and status = 'loaded' order by file_path limit 1",
        [table, sha],
    ).fetchall()
    return row[0][0] if row else None


def record(conn: duckdb.DuckDBPyConnection, entry: FileRecord) -> None:
    conn.execute(
        f"insert or replace into {MANIFEST_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.source_table,
            entry.file_path,
            entry.size_bytes,
            entry.sha256,
            entry.rows_read,
            entry.rows_loaded,
            entry.rows_quarantined,
            entry.status,
            entry.message,
            entry.loaded_at,
        ],
    )
