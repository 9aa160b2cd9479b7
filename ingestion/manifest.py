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
    the file loaded, `message` says why (a rejected re-delivery of a loaded file keeps that
    earlier version's `loaded` entry and rows: loader._record_unloaded)."""
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


@dataclass(frozen=True)
class KnownFiles:
    """What the manifest held for one table when its load started: one query, not two per file."""

    loaded_sha: dict[str, str]
    """file path -> sha256 of its loaded content."""
    first_path: dict[str, str]
    """sha256 -> the first path (in path order) whose loaded content it is."""
    paths: set[str]
    """every path with an entry, whatever its status (a re-delivery replaces its rows)."""


def known_files(conn: duckdb.DuckDBPyConnection, table: str) -> KnownFiles:
    rows = conn.execute(
        f"select file_path, sha256, status from {MANIFEST_TABLE} where source_table = ? "
        "order by file_path",
        [table],
    ).fetchall()
    loaded = [(path, sha) for path, sha, status in rows if status == "loaded"]
    first_path: dict[str, str] = {}
    for path, sha in loaded:
        first_path.setdefault(sha, path)
    return KnownFiles(dict(loaded), first_path, {path for path, _, _ in rows})


def loaded_entries(
    conn: duckdb.DuckDBPyConnection, table: str, paths: list[str]
) -> dict[str, FileRecord]:
    """The current `loaded` entries of these paths: what their rows in raw came from."""
    if not paths:
        return {}
    rows = conn.execute(
        f"select * from {MANIFEST_TABLE} where source_table = ? and status = 'loaded' "
        "and file_path in (select unnest(?::varchar[]))",
        [table, paths],
    ).fetchall()
    return {row[1]: FileRecord(*row) for row in rows}


def record(conn: duckdb.DuckDBPyConnection, entry: FileRecord) -> None:
    record_many(conn, [entry])


def record_many(conn: duckdb.DuckDBPyConnection, entries: list[FileRecord]) -> None:
    """Writes the entries in one statement (DuckDB pays a statement's cost per execute)."""
    if not entries:
        return
    row = "(" + ", ".join("?" * 10) + ")"
    conn.execute(
        f"insert or replace into {MANIFEST_TABLE} values {', '.join([row] * len(entries))}",
        [
            value
            for entry in entries
            for value in (
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
            )
        ],
    )
