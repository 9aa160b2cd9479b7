"""What a run did, read back from the warehouse: the numbers the CLI prints at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from cdp.core.warehouse import table_names

EXAMPLES = 3

# The manifest note of a loaded file whose newer delivery was rejected.
KEPT_VERSION_NOTE = "%a newer delivery was rejected%"


@dataclass
class WarningClass:
    """Something the run tolerated rather than stopped on, with a count and a few examples."""

    kind: str
    """Warning class: unknown vocabulary value, quarantined record, failed expectation, …"""
    what: str
    """Where: the column, the reason, the test."""
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExportRun:
    """One export of a segment to a destination by this run (meta.export_runs)."""

    destination: str
    segment: str
    status: str
    """`written`, `unchanged` (nothing changed since the last export: no file written),
    `skipped` (e.g. a webhook without CDP_WEBHOOK_URL) or `failed`."""
    rows: int
    segment_size: int
    refused: int
    path: str | None


@dataclass
class RunSummary:
    files: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    """(source table, file, status, rows loaded, message) for files handled by this run."""
    raw_rows: dict[str, int] = field(default_factory=dict)
    identifiers: int = 0
    people: int = 0
    profiles: int = 0
    segments: dict[str, int] = field(default_factory=dict)
    exports: list[ExportRun] = field(default_factory=list)
    quarantined: list[tuple[str, str, int, str]] = field(default_factory=list)
    """(source table, file, records quarantined, most frequent reason) for this run's files."""
    warnings: list[WarningClass] = field(default_factory=list)
    """Warning classes of the data as it stands in the warehouse (see collect_warnings)."""

    @property
    def exports_unchanged(self) -> list[ExportRun]:
        """Exports that wrote nothing this run: the segment had not changed since the last one."""
        return [e for e in self.exports if e.status == "unchanged"]

    @property
    def rejected_files(self) -> list[tuple[str, str, str, int, str]]:
        return [f for f in self.files if f[2] == "rejected"]


def collect(
    conn: duckdb.DuckDBPyConnection, since: datetime, segment_relations: dict[str, str]
) -> RunSummary:
    """Reads the run's facts; `since` (naive UTC) separates this run's files and exports."""
    tables = table_names(conn)
    summary = RunSummary()
    if "meta.ingested_files" in tables:
        summary.files = conn.execute(
            # A rejected re-delivery keeps its earlier version's `loaded` entry, with a note
            # (ingestion/loader.py: _record_unloaded): it is a rejection all the same.
            "select source_table, file_path, "
            "case when message like ? then 'rejected' else status end, "
            "rows_loaded, coalesce(message, '') from meta.ingested_files "
            "where loaded_at >= ? or status = 'rejected' or message like ? "
            "order by source_table, file_path",
            [KEPT_VERSION_NOTE, since, KEPT_VERSION_NOTE],
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
        summary.exports = [
            ExportRun(*row)
            for row in conn.execute(
                "select destination, segment, status, rows, segment_size, refused_rows, path "
                "from meta.export_runs where started_at >= ? order by destination, segment",
                [since],
            ).fetchall()
        ]
    return summary


def _quoted(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "…")


def _located(path: str, line: int | None, record: int | None) -> str:
    if line is not None:
        return f"{path} line {line}"
    return f"{path} record {record}" if record is not None else path


def collect_warnings(
    conn: duckdb.DuckDBPyConnection, landing_dir: Path | None = None
) -> list[WarningClass]:
    """The warning classes of the warehouse as it stands (the files currently loaded): values
    outside a vocabulary (marts.data_quality_warnings) per column, quarantined records per
    reason, failed Great Expectations expectations per column, and unrecognised landing files.
    dbt tests that warned come from the run's events (orchestration/run_outcome.py)."""
    from ingestion.audit import validation_findings
    from ingestion.sources import SOURCES, unrecognised_files

    tables = table_names(conn)
    found: list[WarningClass] = []
    if "marts.data_quality_warnings" in tables:
        rows = conn.execute(
            """
            select source_table, column_name, count(*),
                list(struct_pack(v := raw_value, f := source_file, l := line_number,
                                 r := record_number)
                     order by source_file, record_number)[1:?]
            from marts.data_quality_warnings
            group by all order by 1, 2
            """,
            [EXAMPLES],
        ).fetchall()
        for table, column, count, examples in rows:
            found.append(
                WarningClass(
                    "unknown vocabulary value → unknown",
                    f"{table}.{column}",
                    count,
                    [f"{_quoted(e['v'])} ({_located(e['f'], e['l'], e['r'])})" for e in examples],
                )
            )
    if "raw.quarantined_rows" in tables and "meta.ingested_files" in tables:
        rows = conn.execute(
            """
            select q.reason, count(*),
                list(struct_pack(f := q.source_file, l := q.line_number, r := q.record_number)
                     order by q.source_file, q.record_number)[1:?]
            from raw.quarantined_rows as q
            inner join meta.ingested_files as m
                on m.source_table = q.source_table and m.file_path = q.source_file
                and m.sha256 = q.file_sha256 and m.status = 'loaded'
            group by all order by 2 desc, 1
            """,
            [EXAMPLES],
        ).fetchall()
        for reason, count, examples in rows:
            found.append(
                WarningClass(
                    "quarantined record",
                    reason,
                    count,
                    [_located(e["f"], e["l"], e["r"]) for e in examples],
                )
            )
    failed: dict[tuple[str, str, str], list] = {}
    for table in SOURCES:
        for finding in validation_findings(conn, table):
            if not finding.success:
                key = (table, finding.column or "", finding.expectation)
                failed.setdefault(key, []).append(finding)
    for (table, column, expectation), findings in sorted(failed.items()):
        found.append(
            WarningClass(
                "failed expectation (Great Expectations)",
                f"{table}.{column} {expectation.removeprefix('expect_column_values_to_')}",
                sum(f.unexpected_count or 0 for f in findings),
                [f"{f.file_path}: {f.sample}" if f.sample else f.file_path for f in findings][
                    :EXAMPLES
                ],
            )
        )
    if landing_dir is not None:
        unrecognised = unrecognised_files(landing_dir)
        if unrecognised:
            found.append(
                WarningClass(
                    "unrecognised file (not loaded)",
                    "no source claims it (docs/sources.md)",
                    len(unrecognised),
                    [str(p.relative_to(landing_dir)) for p in unrecognised[:EXAMPLES]],
                )
            )
    return found
