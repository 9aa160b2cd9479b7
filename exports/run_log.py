"""`meta.export_runs`: one row per export run, so what was sent where stays queryable."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from exports.writer import ExportResult

EXPORT_RUNS_TABLE = "meta.export_runs"


def ensure_table(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists meta")
    conn.execute(
        f"""
        create table if not exists {EXPORT_RUNS_TABLE} (
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
        )
        """
    )


def record_export_run(
    conn: duckdb.DuckDBPyConnection,
    result: ExportResult,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    ensure_table(conn)
    conn.execute(
        f"insert into {EXPORT_RUNS_TABLE} values (?, ?, ?, ?, ?, ?, 'succeeded', ?, ?, ?, ?)",
        [
            result.destination,
            result.segment,
            result.rows,
            result.segment_size,
            result.refused_total,
            json.dumps(result.refused, sort_keys=True),
            str(result.path),
            result.sha256,
            started_at.replace(tzinfo=None),
            finished_at.replace(tzinfo=None),
        ],
    )
