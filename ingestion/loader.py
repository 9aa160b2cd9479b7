"""Loads every landing file of one source into its raw table, once, one file per transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion import manifest
from ingestion.errors import CdpError
from ingestion.readers import read_query
from ingestion.sources import SourceSpec


@dataclass
class TableLoadReport:
    table: str
    files: list[manifest.FileRecord] = field(default_factory=list)
    total_rows: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.status == "loaded")

    @property
    def rejected(self) -> list[manifest.FileRecord]:
        return [f for f in self.files if f.status == "rejected"]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_file(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    relative: str,
    sha: str,
    loaded_at: datetime,
) -> manifest.FileRecord:
    size = path.stat().st_size

    def entry(status: str, rows: int, message: str) -> manifest.FileRecord:
        return manifest.FileRecord(
            spec.table, relative, size, sha, rows, rows if status == "loaded" else 0, 0,
            status, message, loaded_at,
        )  # fmt: skip

    if manifest.loaded_sha(conn, spec.table, relative) == sha:
        return entry("unchanged", 0, "already loaded with the same content")
    twin = manifest.path_with_same_content(conn, spec.table, sha)
    if twin is not None and twin != relative:
        return entry("duplicate", 0, f"same content as {twin}, already loaded")
    if size == 0:
        return entry("loaded", 0, "empty file")

    conn.execute("begin transaction")
    try:
        query = read_query(conn, spec, path)
        # A re-export of the same file replaces what that file loaded before.
        conn.execute(f"delete from raw.{spec.table} where _source_file = ?", [relative])
        conn.execute(
            f"insert into raw.{spec.table} by name "
            f"select *, ? as _source_file, ? as _file_sha256, ? as _loaded_at from ({query})",
            [relative, sha, loaded_at],
        )
        rows = conn.execute(
            f"select count(*) from raw.{spec.table} where _source_file = ?", [relative]
        ).fetchone()[0]
        result = entry("loaded", rows, "")
        manifest.record(conn, result)
        conn.execute("commit")
        return result
    except (duckdb.Error, CdpError) as exc:
        conn.execute("rollback")
        message = str(exc).splitlines()[0] if isinstance(exc, CdpError) else _duckdb_message(exc)
        return entry("rejected", 0, message)


def _duckdb_message(exc: duckdb.Error) -> str:
    """DuckDB's first lines say what and where (line number); drop the long advice after."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3])


def load_source(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    landing_dir: Path,
    loaded_at: datetime | None = None,
) -> TableLoadReport:
    """Loads new or changed files of `spec` from the landing folder; skips the ones seen before."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    manifest.ensure_meta_tables(conn)
    manifest.ensure_raw_table(conn, spec)
    report = TableLoadReport(spec.table)
    for path in spec.files(landing_dir):
        relative = path.relative_to(landing_dir).as_posix()
        result = _load_file(conn, spec, path, relative, file_sha256(path), loaded_at)
        if result.status in ("rejected", "duplicate"):
            manifest.record(conn, result)
        report.files.append(result)
    report.total_rows = conn.execute(f"select count(*) from raw.{spec.table}").fetchone()[0]
    return report
