"""Loads every landing file of one source into its raw table, once, one file per transaction.

Per file: hash and sniff it (ingestion/files.py), skip it when the manifest already holds the
same content, else in ONE transaction replace what an earlier version of the same path loaded,
insert its rows in one pass, move unloadable records to `raw.quarantined_rows` and record the
outcome in `meta.ingested_files`. A process killed anywhere before the commit leaves no trace of
the file (DuckDB discards the uncommitted transaction on the next open), so the next run loads
it whole: no half file, no duplicates. Then the rows of all the files loaded are validated with
Great Expectations in one pass per table, and each file's results stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cdp.core.errors import CdpError
from cdp.privacy import reimport as privacy
from ingestion import manifest, quarantine, validation
from ingestion.files import FileFacts, inspect_file, utf8_view
from ingestion.readers import ReadPlan, read_plan
from ingestion.recognition import recognition_note
from ingestion.sources import CsvFormat, SourceSpec


@dataclass
class TableLoadReport:
    table: str
    files: list[manifest.FileRecord] = field(default_factory=list)
    total_rows: int = 0

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.status == "loaded")

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files if f.status == "loaded")

    @property
    def rejected(self) -> list[manifest.FileRecord]:
        return [f for f in self.files if f.status == "rejected"]


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The first value of a one-row query, fetched to the end so the connection is free."""
    return conn.execute(sql, params or []).fetchall()[0][0]


@dataclass
class _Batch:
    """What loading one file found, turned into the manifest's counts and message."""

    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    notes: list[str] = field(default_factory=list)


def _insert_rows(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    plan: ReadPlan,
    relative: str,
    sha: str,
    loaded_at: datetime,
) -> int:
    """Inserts every record of the file in one pass; unloadable ones marked for quarantine."""
    columns = ", ".join(f'"{c}"' for c in spec.columns)
    inserted = _scalar(
        conn,
        f"insert into raw.{spec.table} by name select {columns}, "
        "case when _reject is null then _extra else cast(json_object("
        "'reason', _reject, 'raw', _raw_text) as varchar) end as _extra, "
        "case when _reject is null then _source_row else -_source_row end as _source_row, "
        f"? as _source_file, ? as _file_sha256, ? as _loaded_at from ({plan.sql})",
        [relative, sha, loaded_at],
    )
    return int(inserted)


def _raise_memory_limit(conn: duckdb.DuckDBPyConnection, needed: int) -> None:
    if needed > _memory_limit_bytes(conn):
        conn.execute(f"set memory_limit = '{needed // (1 << 20) + 1}MiB'")


def _memory_limit_bytes(conn: duckdb.DuckDBPyConnection) -> int:
    text = _scalar(conn, "select current_setting('memory_limit')")
    units = {
        "KiB": 1 << 10,
        "MiB": 1 << 20,
        "GiB": 1 << 30,
        "TiB": 1 << 40,
        "KB": 10**3,
        "MB": 10**6,
        "GB": 10**9,
        "TB": 10**12,
        "bytes": 1,
    }
    number, _, unit = str(text).strip().partition(" ")
    return int(float(number) * units.get(unit, 1))


def _check_document(conn: duckdb.DuckDBPyConnection, plan: ReadPlan) -> None:
    if plan.document_check is None:
        return
    documents, without_array = conn.execute(plan.document_check).fetchall()[0]
    if without_array:
        where = f"top-level key {plan.root_key!r}" if plan.root_key else "an array of records"
        raise CdpError(
            f"{without_array} of {documents} JSON document(s) in the file have no {where} "
            "(expected a wrapper object holding the records, a bare array, or JSON Lines)"
        )


def _load_rows(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    relative: str,
    facts: FileFacts,
    loaded_at: datetime,
) -> _Batch:
    batch = _Batch(notes=[facts.note] if facts.note else [])
    if not spec.matches(path):
        batch.notes.append(recognition_note(spec, path))
    with utf8_view(path, facts) as readable:
        plan = read_plan(spec, readable, path.name)
        batch.notes += plan.notes
        if plan.shape == "empty":
            batch.notes.append("empty file: no records")
            return batch
        if plan.memory_bytes:  # a JSON document is parsed whole: let DuckDB hold it
            _raise_memory_limit(conn, plan.memory_bytes)
        _check_document(conn, plan)
        skipped = _scalar(conn, plan.skipped_sql) if plan.skipped_sql else 0
        if plan.uses_rejects:
            quarantine.reset_parser_rejects(conn)
        inserted = _insert_rows(conn, spec, plan, relative, facts.sha256, loaded_at)
    if skipped:
        batch.notes.append(
            f"{skipped:,} record(s) of other kinds skipped here (not {spec.table} records: "
            "e.g. a bulk operation's nested lines, read by their own tables)"
        )
    is_csv = isinstance(spec.format, CsvFormat)
    # A child table (line items of orders) reads the parent's files: the parent quarantines
    # what cannot be read. Children of a record are located by its record number.
    is_child = spec.parent is not None or (plan.child_rows and not is_csv)
    rejects = []
    if plan.uses_rejects and not is_child:  # the parent table quarantines unreadable lines
        rejects = quarantine.parser_rejects(conn, is_json_lines=not is_csv)
    header_lines = 1 if is_csv else 0
    if is_csv and facts.quotes % 2:
        raise CdpError(
            "a quoted value is never closed (the file holds an odd number of double quotes): "
            f"the file looks truncated or hand-edited, and everything after record "
            f"{inserted + len(rejects)} would be lost; fix or re-export it"
        )
    if rejects:
        quarantine.renumber_after_rejects(
            conn, spec.table, relative, [line - header_lines for line, _, _ in rejects]
        )
        quarantine.add_parser_rejects(
            conn, spec.table, relative, facts.sha256, loaded_at, rejects, header_lines
        )
    # Lines locate CSV records and JSON Lines records; children of a record, and records of a
    # JSON document, are located by their record number alone.
    line_offset = None if plan.shape in ("array", "document") or is_child else header_lines
    moved = quarantine.move_marked_rows(conn, spec.table, relative, line_offset)
    batch.read = inserted + len(rejects)
    batch.quarantined = moved + len(rejects)
    batch.loaded = inserted - moved
    if batch.read == 0:
        batch.notes.append("header only: no data rows" if is_csv else "no records")
    return batch


def _natural_key_notes(
    conn: duckdb.DuckDBPyConnection, spec: SourceSpec, relative: str
) -> list[str]:
    """Duplicates of the natural key inside the file, and keys earlier files loaded already."""
    if not spec.key_columns:
        return []
    keys = ", ".join(f'trim("{c}")' for c in spec.key_columns)
    on = " and ".join(f'trim(o."{c}") is not distinct from trim(n."{c}")' for c in spec.key_columns)
    # Rows without any key value (an export without the key column) have no key to repeat.
    has_key = " or ".join(f'trim("{c}") is not null' for c in spec.key_columns)
    duplicates = _scalar(
        conn,
        f"select count(*) - count(distinct ({keys})) from raw.{spec.table} "
        f"where _source_file = ? and ({has_key})",
        [relative],
    )
    earlier = _scalar(
        conn,
        f"with n as (select * from raw.{spec.table} where _source_file = ?), "
        f"o as (select * from raw.{spec.table} where _source_file <> ?) "
        f"select count(*) from n where exists (select 1 from o where {on})",
        [relative, relative],
    )
    notes = []
    if duplicates:
        notes.append(
            f"{duplicates:,} duplicate row(s) of the natural key ({', '.join(spec.key_columns)}) "
            "inside the file: all loaded, staging keeps the last"
        )
    if earlier:
        notes.append(
            f"{earlier:,} row(s) re-deliver natural keys loaded from earlier files: "
            "staging keeps this file's version (latest load wins)"
        )
    return notes


def _load_file(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    path: Path,
    relative: str,
    facts: FileFacts,
    loaded_at: datetime,
) -> manifest.FileRecord:
    sha = facts.sha256

    def entry(status: str, batch: _Batch | None, message: str) -> manifest.FileRecord:
        batch = batch or _Batch()
        return manifest.FileRecord(
            spec.table,
            relative,
            facts.size,
            sha,
            batch.read,
            batch.loaded,
            batch.quarantined,
            status,
            message,
            loaded_at,
        )

    if manifest.loaded_sha(conn, spec.table, relative) == sha:
        return entry("unchanged", None, "already loaded with the same content")
    twin = manifest.path_with_same_content(conn, spec.table, sha)
    if twin is not None and twin != relative:
        return entry("duplicate", None, f"same content as {twin}, already loaded")

    conn.execute("begin transaction")
    try:
        # A re-export of the same file replaces what that file loaded before.
        conn.execute(f"delete from raw.{spec.table} where _source_file = ?", [relative])
        quarantine.clear_file(conn, spec.table, relative)
        batch = _load_rows(conn, spec, path, relative, facts, loaded_at)
        if batch.loaded:
            batch.notes += _natural_key_notes(conn, spec, relative)
        if batch.quarantined:
            batch.notes.append(
                f"{batch.quarantined:,} record(s) quarantined (see raw.quarantined_rows)"
            )
        result = entry("loaded", batch, "; ".join(batch.notes))
        manifest.record(conn, result)
        privacy.drop_tombstoned_rows(conn, spec, relative)  # forgotten people stay forgotten
        conn.execute("commit")
        return result
    except (duckdb.Error, CdpError) as exc:
        conn.execute("rollback")
        message = str(exc).splitlines()[0] if isinstance(exc, CdpError) else _duckdb_message(exc)
        return entry("rejected", None, message)


def _duckdb_message(exc: duckdb.Error) -> str:
    """DuckDB's first lines say what and where (line number); drop the long advice after."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    text = re.sub(r' in file "[^"]*"', "", " ".join(lines[:3]))
    text = re.sub(r"^(Invalid Input|Conversion|Binder|Parser) Error: ", "", text)
    if "JSON" in text and ("Malformed" in text or "malformed" in text or "unexpected" in text):
        return f"invalid JSON (truncated or malformed): {text}"
    return text


# DuckDB's default memory limit is 80% of RAM; with it, a big insert keeps everything in memory
# until the commit. A bounded limit makes DuckDB write as it goes: less memory, and faster.
LOAD_MEMORY_LIMIT = "1GB"


@contextmanager
def _loading_settings(conn: duckdb.DuckDBPyConnection, memory_limit: str) -> Iterator[None]:
    """Bounded memory and no progress bar while loading; the caller's settings come back after."""
    names = ("memory_limit", "enable_progress_bar")
    previous = conn.execute(
        "select " + ", ".join(f"current_setting('{n}')" for n in names)
    ).fetchall()[0]
    conn.execute(f"set memory_limit = '{memory_limit}'")
    conn.execute("set enable_progress_bar = false")
    try:
        yield
    finally:
        for name, value in zip(names, previous, strict=True):
            conn.execute(f"set {name} = '{value}'")


def _validate_loaded(
    conn: duckdb.DuckDBPyConnection, spec: SourceSpec, files: list[manifest.FileRecord]
) -> list[manifest.FileRecord]:
    """Validates the rows of every file this run loaded in one pass (`validation.validate_files`),
    stores each file's results and appends a failure summary to its manifest message.

    Validation reports, it never gates, so it runs after the loads rather than inside each
    file's transaction: a crash in between leaves the files loaded, without their results."""
    loaded = [f for f in files if f.status == "loaded" and f.rows_loaded]
    results = validation.validate_files(conn, spec.table, [f.file_path for f in loaded])
    if not results:
        return files
    checked: dict[str, manifest.FileRecord] = {}
    conn.execute("begin transaction")
    try:
        for record in loaded:
            outcome = results[record.file_path]
            validation.store_results(
                conn, spec.table, record.file_path, record.sha256, record.loaded_at, outcome
            )
            if failed := validation.summary(outcome):
                message = "; ".join(part for part in (record.message, failed) if part)
                checked[record.file_path] = replace(record, message=message)
                manifest.record(conn, checked[record.file_path])
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return [checked.get(f.file_path, f) if f.status == "loaded" else f for f in files]


def load_source(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    landing_dir: Path,
    loaded_at: datetime | None = None,
    validate: bool = True,
    memory_limit: str = LOAD_MEMORY_LIMIT,
) -> TableLoadReport:
    """Loads new or changed files of `spec` from the landing folder; skips the ones seen before."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    manifest.ensure_meta_tables(conn)
    manifest.ensure_raw_table(conn, spec)
    report = TableLoadReport(spec.table)
    with _loading_settings(conn, memory_limit):
        for path in spec.files(landing_dir):
            relative = path.relative_to(landing_dir).as_posix()
            facts = inspect_file(path)
            result = _load_file(conn, spec, path, relative, facts, loaded_at)
            if result.status in ("rejected", "duplicate"):
                manifest.record(conn, result)
            report.files.append(result)
        if validate:
            report.files = _validate_loaded(conn, spec, report.files)
    report.total_rows = _scalar(conn, f"select count(*) from raw.{spec.table}")
    return report
