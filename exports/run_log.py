"""`meta.export_runs`: one row per export run, failed ones included, so what was sent where (and
what went wrong) stays queryable.

Columns: destination, segment, rows (in the full file), segment_size, refused_rows and
refused_by_reason (JSON), status (`written`, `unchanged`, `skipped` or `failed`), path, sha256,
started_at, finished_at (UTC), adds, removes, warnings (JSON) and error (the message of a
failed run, naming the row or batch at fault).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from cdp.core.warehouse import create_table_if_missing
from exports.writer import ExportResult

EXPORT_RUNS_TABLE = "meta.export_runs"
# The columns a run writes, in the order of the insert statements' values.
_INSERTED_COLUMNS = (
    "destination, segment, rows, segment_size, refused_rows, refused_by_reason, status, path, "
    "sha256, started_at, finished_at, adds, removes, warnings, error"
)
_ADDED_COLUMNS = {"adds": "bigint", "removes": "bigint", "warnings": "varchar", "error": "varchar"}


def ensure_table(conn: duckdb.DuckDBPyConnection) -> None:
    create_table_if_missing(
        conn,
        EXPORT_RUNS_TABLE,
        """
            destination varchar not null,
            segment varchar not null,
            rows bigint not null,
            segment_size bigint not null,
            refused_rows bigint not null,
            refused_by_reason varchar,
            status varchar not null,
            path varchar,
            sha256 varchar,
            started_at timestamp not null,
            finished_at timestamp not null
        """,
    )
    # Warehouses created before incremental exports get the newer columns added in place.
    for column, sql_type in _ADDED_COLUMNS.items():
        conn.execute(
            f"alter table {EXPORT_RUNS_TABLE} add column if not exists {column} {sql_type}"
        )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def record_export_run(
    conn: duckdb.DuckDBPyConnection,
    result: ExportResult,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    ensure_table(conn)
    conn.execute(
        f"""
        insert into {EXPORT_RUNS_TABLE} ({_INSERTED_COLUMNS})
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            result.destination,
            result.segment,
            result.rows,
            result.segment_size,
            result.refused_total,
            json.dumps(result.refused, sort_keys=True),
            result.status,
            str(result.path) if result.status != "skipped" else None,
            result.sha256 or None,
            _utc(started_at),
            _utc(finished_at),
            result.adds if result.status == "written" else 0,
            result.removes if result.status == "written" else 0,
            json.dumps(result.warnings, sort_keys=True),
            result.message if result.status == "skipped" else None,
        ],
    )


def record_failed_export_run(
    conn: duckdb.DuckDBPyConnection,
    destination: str,
    segment: str,
    error: str,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    """A run that raised: nothing was delivered and the sync state did not move."""
    ensure_table(conn)
    conn.execute(
        f"""
        insert into {EXPORT_RUNS_TABLE} ({_INSERTED_COLUMNS})
        values (?, ?, 0, 0, 0, '{{}}', 'failed', null, null, ?, ?, 0, 0, '{{}}', ?)
        """,
        [destination, segment, _utc(started_at), _utc(finished_at), error],
    )


def last_run(conn: duckdb.DuckDBPyConnection, destination: str, segment: str) -> dict | None:
    """The latest run of a segment to a destination, as a dict, or None."""
    ensure_table(conn)
    cursor = conn.execute(
        f"select * from {EXPORT_RUNS_TABLE} where destination = ? and segment = ? "
        "order by finished_at desc limit 1",
        [destination, segment],
    )
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return dict(zip(names, row, strict=True)) if row else None
