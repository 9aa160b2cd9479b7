"""What a run did, read back from the warehouse: the numbers the CLI prints at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb


@dataclass
class RunSummary:
    files: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    """(source table, file, status, rows loaded, message) for files handled by this run."""
    raw_rows: dict[str, int] = field(default_factory=dict)
    identifiers: int = 0
    people: int = 0
    profiles: int = 0
    segments: dict[str, int] = field(default_factory=dict)
    exports: list[tuple[str, str, int, int, str]] = field(default_factory=list)
    """(destination, segment, rows written, rows refused, path)."""
    quarantined: list[tuple[str, str, int, str]] = field(default_factory=list)
    """(source table, file, records quarantined, most frequent reason) for this run's files."""

    @property
    def rejected_files(self) -> list[tuple[str, str, str, int, str]]:
        return [f for f in self.files if f[2] == "rejected"]


def _tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    rows = conn.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {r[0] for r in rows}


def collect(
    conn: duckdb.DuckDBPyConnection, since: datetime, segment_relations: dict[str, str]
) -> RunSummary:
    """Reads the run's facts; `since` (naive UTC) separates this run's files and exports."""
    tables = _tables(conn)
    summary = RunSummary()
    if "meta.ingested_files" in tables:
        summary.files = conn.execute(
            "select source_table, file_path, status, rows_loaded, coalesce(message, '') "
            "from meta.ingested_files where loaded_at >= ? or status = 'rejected' "
            "order by source_table, file_path",
            [since],
        ).fetchall()
        for (table,) in conn.execute(
            "select distinct source_table from meta.ingested_files order by 1"
        ).fetchall():
            if f"raw.{table}" in tables:
                summary.raw_rows[table] = conn.execute(
                    f"select count(*) from raw.{table}"
                ).fetchone()[0]
    if "raw.quarantined_rows" in tables:
        summary.quarantined = conn.execute(
            "select source_table, source_file, count(*), mode(reason) from raw.quarantined_rows "
            "where quarantined_at >= ? group by all order by 1, 2",
            [since],
        ).fetchall()
    if "marts.person_identifiers" in tables:
        summary.identifiers, summary.people = conn.execute(
            "select count(*), count(distinct person_id) from marts.person_identifiers"
        ).fetchone()
    if "marts.profiles" in tables:
        summary.profiles = conn.execute("select count(*) from marts.profiles").fetchone()[0]
    for name, relation in segment_relations.items():
        if relation.replace('"', "") in tables:
            summary.segments[name] = conn.execute(f"select count(*) from {relation}").fetchone()[0]
    if "meta.export_runs" in tables:
        summary.exports = conn.execute(
            "select destination, segment, rows, refused_rows, path from meta.export_runs "
            "where started_at >= ? order by destination, segment",
            [since],
        ).fetchall()
    return summary
