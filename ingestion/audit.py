"""Read-only audits of what ingestion left in the warehouse: the facts behind the Dagster asset
checks on the raw tables and behind `cdp status`.

- `reconcile`: for every loaded file, rows read = rows loaded + rows quarantined, the raw table
  holds exactly `rows_loaded` rows of it, and no raw row comes from a file the manifest does
  not list as loaded. Any difference means a row was lost or doubled.
- `validation_failures`: the Great Expectations results of the files currently loaded.
- `manifest_overview` / `quarantine_overview`: per-source totals for `cdp status`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from cdp.core.warehouse import table_names
from ingestion.manifest import MANIFEST_TABLE
from ingestion.quarantine import QUARANTINE_TABLE
from ingestion.validation import RESULTS_TABLE


@dataclass(frozen=True)
class Reconciliation:
    table: str
    files: int
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def reconcile(conn: duckdb.DuckDBPyConnection, table: str) -> Reconciliation:
    """Checks that no row of `raw.<table>` was lost or doubled, file by file."""
    tables = table_names(conn)
    if MANIFEST_TABLE not in tables or f"raw.{table}" not in tables:
        return Reconciliation(table, 0, 0, 0, 0, [])
    rows = conn.execute(
        f"""
        with files as (
            select file_path, rows_read, rows_loaded, rows_quarantined
            from {MANIFEST_TABLE} where source_table = ? and status = 'loaded'
        ),
        actual as (
            select _source_file as file_path, count(*) as n from raw.{table} group by 1
        )
        select coalesce(f.file_path, a.file_path), f.rows_read, f.rows_loaded,
            f.rows_quarantined, coalesce(a.n, 0), f.file_path is not null
        from files as f full outer join actual as a on f.file_path = a.file_path
        order by 1
        """,
        [table],
    ).fetchall()
    problems = []
    totals = [0, 0, 0]
    files = 0
    for path, read, loaded, quarantined, actual, listed in rows:
        if not listed:
            problems.append(f"{path}: {actual:,} raw row(s) from a file the manifest does not list")
            continue
        files += 1
        read, loaded, quarantined = read or 0, loaded or 0, quarantined or 0
        totals = [totals[0] + read, totals[1] + loaded, totals[2] + quarantined]
        if read != loaded + quarantined:
            problems.append(
                f"{path}: {read:,} read ≠ {loaded:,} loaded + {quarantined:,} quarantined"
            )
        if actual != loaded:
            problems.append(
                f"{path}: manifest says {loaded:,} loaded, raw.{table} holds {actual:,}"
            )
    return Reconciliation(table, files, *totals, problems)


@dataclass(frozen=True)
class ValidationFinding:
    file_path: str
    expectation: str
    column: str
    success: bool
    element_count: int
    unexpected_count: int
    sample: str


def validation_findings(conn: duckdb.DuckDBPyConnection, table: str) -> list[ValidationFinding]:
    """Every expectation result of the files of `table` as they are loaded now."""
    if RESULTS_TABLE not in table_names(conn):
        return []
    rows = conn.execute(
        f"""
        select v.file_path, v.expectation, v.column_name, v.success, v.element_count,
            v.unexpected_count, coalesce(v.sample, '')
        from {RESULTS_TABLE} as v
        inner join {MANIFEST_TABLE} as m
            on m.source_table = v.source_table and m.file_path = v.file_path
            and m.sha256 = v.file_sha256 and m.loaded_at = v.run_at and m.status = 'loaded'
        where v.source_table = ?
        order by v.file_path, v.expectation, v.column_name
        """,
        [table],
    ).fetchall()
    return [ValidationFinding(*row) for row in rows]


def describe_failures(findings: list[ValidationFinding], limit: int = 20) -> str:
    """Markdown lines `file: column expectation — n unexpected, e.g. …` for failed results."""
    failed = [f for f in findings if not f.success]
    lines = []
    for f in failed[:limit]:
        try:
            sample = ", ".join(repr(v) for v in json.loads(f.sample)[:3]) if f.sample else ""
        except ValueError:
            sample = f.sample
        lines.append(
            f"- `{f.file_path}`: `{f.column}` {f.expectation} — "
            f"{f.unexpected_count:,} of {f.element_count:,} unexpected"
            + (f", e.g. {sample}" if sample else "")
        )
    if len(failed) > limit:
        lines.append(f"- … and {len(failed) - limit} more")
    return "\n".join(lines)


def manifest_overview(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Per source table: files loaded, rows read / loaded / quarantined, last load, files
    rejected (with the latest rejection message)."""
    if MANIFEST_TABLE not in table_names(conn):
        return []
    return conn.execute(
        f"""
        select
            source_table,
            count(*) filter (where status = 'loaded') as files_loaded,
            coalesce(sum(rows_read) filter (where status = 'loaded'), 0),
            coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0),
            coalesce(sum(rows_quarantined) filter (where status = 'loaded'), 0),
            max(loaded_at) filter (where status = 'loaded'),
            count(*) filter (where status = 'rejected'),
            count(*) filter (where status = 'duplicate')
        from {MANIFEST_TABLE}
        group by source_table
        order by source_table
        """
    ).fetchall()


def rejected_files(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(source table, file, message) of every file currently rejected."""
    if MANIFEST_TABLE not in table_names(conn):
        return []
    return conn.execute(
        f"select source_table, file_path, message from {MANIFEST_TABLE} "
        "where status = 'rejected' order by 1, 2"
    ).fetchall()


def quarantine_overview(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, str, str]]:
    """(source table, file, records, most frequent reason, when) of the latest quarantine of
    each file."""
    if QUARANTINE_TABLE not in table_names(conn):
        return []
    return conn.execute(
        f"""
        select source_table, source_file, count(*), mode(reason), max(quarantined_at)
        from {QUARANTINE_TABLE}
        group by source_table, source_file
        order by max(quarantined_at) desc, source_table, source_file
        """
    ).fetchall()
