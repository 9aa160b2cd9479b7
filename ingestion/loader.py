"""Loads every landing file of one source into its raw table, once.

Each file is hashed and sniffed (ingestion/files.py) and skipped when the manifest already holds
the same content. The other files are grouped by read plan (same kind of file, same header or
JSON shape: ingestion/readers.py) and each group is loaded in ONE transaction with one scan of
DuckDB's reader over all its files: replace what earlier versions of the same paths loaded,
insert the rows (each with its file and record number), move unloadable records to
`raw.quarantined_rows` and record every file's outcome in `meta.ingested_files`. A process
killed anywhere before the commit leaves no trace of the group (DuckDB discards the uncommitted
transaction on the next open), so the next run loads it whole: no half file, no duplicates. A
group that fails is rolled back and loaded file by file, so a bad file is rejected alone with
its own message while the others load. Then the rows of all the files loaded are validated with
Great Expectations in one pass per table, and each file's results stored."""

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
from cdp.privacy.tombstones import tombstones_exist
from ingestion import manifest, quarantine, validation
from ingestion.files import FileFacts, inspect_file, utf8_view
from ingestion.readers import JSON_DOCUMENT_MEMORY_FACTOR, ReadPlan, read_plan
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
class _Pending:
    """A landing file this run loads: new, or changed since its last load."""

    path: Path
    relative: str
    facts: FileFacts
    replaces: bool
    """The manifest has an entry for this path: its earlier rows and quarantine go first."""


@dataclass
class _Counts:
    """What loading one file found, turned into the manifest's counts and message."""

    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    notes: list[str] = field(default_factory=list)


class _SplitBatch(Exception):
    """A batch met something only a file-by-file load reports exactly (a parser reject, a
    document without its records): it is rolled back and its files loaded one by one."""


def _insert_rows(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    sql: str,
    files: list[tuple[str, str, str]],
    loaded_at: datetime,
) -> None:
    """Inserts every record of the files in one pass; unloadable ones marked for quarantine.
    `files`: (path as read, path relative to the landing folder, sha256)."""
    columns = ", ".join(f'"{c}"' for c in spec.columns)
    lineage = ", ".join(f"({', '.join(_literal(v) for v in file)})" for file in files)
    conn.execute(
        f"insert into raw.{spec.table} by name select {columns}, "
        "case when _reject is null then _extra else cast(json_object("
        "'reason', _reject, 'raw', _raw_text) as varchar) end as _extra, "
        "case when _reject is null then _source_row else -_source_row end as _source_row, "
        "lineage._relative as _source_file, lineage._sha as _file_sha256, "
        f"? as _loaded_at from ({sql}) as records join (values {lineage}) "
        "as lineage(_file, _relative, _sha) using (_file)",
        [loaded_at],
    ).fetchall()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


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


def _check_documents(conn: duckdb.DuckDBPyConnection, plan: ReadPlan, readable: list[Path]) -> None:
    if plan.document_check is None:
        return
    rows = conn.execute(plan.sql_for(readable, plan.document_check)).fetchall()
    for _, documents, without_array in rows:
        if not without_array:
            continue
        if len(readable) > 1:
            raise _SplitBatch
        where = f"top-level key {plan.root_key!r}" if plan.root_key else "an array of records"
        raise CdpError(
            f"{without_array} of {documents} JSON document(s) in the file have no {where} "
            "(expected a wrapper object holding the records, a bare array, or JSON Lines)"
        )


def _per_file_counts(
    conn: duckdb.DuckDBPyConnection, table: str, relatives: list[str]
) -> dict[str, tuple[int, int]]:
    """file -> (records inserted, of which marked for quarantine)."""
    rows = conn.execute(
        "select _source_file, count(*), count(*) filter (where _source_row < 0) "
        f"from raw.{table} where _source_file in (select unnest(?::varchar[])) "
        "group by _source_file",
        [relatives],
    ).fetchall()
    return {source_file: (int(n), int(marked)) for source_file, n, marked in rows}


def _load_rows(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    plan: ReadPlan,
    batch: list[tuple[_Pending, Path]],
    loaded_at: datetime,
) -> dict[str, _Counts]:
    """Loads the files of one plan (`batch`: each file with the path it is read from) inside
    the caller's transaction; returns each file's counts and notes."""
    readable = [path for _, path in batch]
    by_readable = {str(path): pending for pending, path in batch}
    counts = {pending.relative: _Counts() for pending, _ in batch}
    for pending, _ in batch:
        notes = counts[pending.relative].notes
        if pending.facts.note:
            notes.append(pending.facts.note)
        if not spec.matches(pending.path):
            notes.append(recognition_note(spec, pending.path))
        notes += plan.notes
    if plan.shape == "empty":
        for c in counts.values():
            c.notes.append("empty file: no records")
        return counts
    if plan.memory_bytes:  # a JSON document is parsed whole: let DuckDB hold the largest
        _raise_memory_limit(conn, plan.memory_bytes)
    _check_documents(conn, plan, readable)
    skipped = {}
    if plan.skipped_sql:
        rows = conn.execute(plan.sql_for(readable, plan.skipped_sql)).fetchall()
        skipped = {by_readable[file].relative: n for file, n in rows}
    if plan.uses_rejects:
        quarantine.reset_parser_rejects(conn)
    lineage = [(str(path), p.relative, p.facts.sha256) for p, path in batch]
    _insert_rows(conn, spec, plan.sql_for(readable), lineage, loaded_at)
    is_csv = isinstance(spec.format, CsvFormat)
    # A child table (line items of orders) reads the parent's files: the parent quarantines
    # what cannot be read. Children of a record are located by its record number.
    is_child = spec.parent is not None or (plan.child_rows and not is_csv)
    rejects = []
    if plan.uses_rejects and not is_child:  # the parent table quarantines unreadable lines
        rejects = quarantine.parser_rejects(conn, is_json_lines=not is_csv)
        if rejects and len(batch) > 1:
            raise _SplitBatch
    relatives = [p.relative for p, _ in batch]
    inserted = _per_file_counts(conn, spec.table, relatives)
    header_lines = 1 if is_csv else 0
    if is_csv:
        for pending, _ in batch:
            if pending.facts.quotes % 2:
                if len(batch) > 1:
                    raise _SplitBatch
                records = inserted.get(pending.relative, (0, 0))[0] + len(rejects)
                raise CdpError(
                    "a quoted value is never closed (the file holds an odd number of double "
                    "quotes): the file looks truncated or hand-edited, and everything after "
                    f"record {records} would be lost; fix or re-export it"
                )
    if rejects:  # a file alone (see above)
        pending = batch[0][0]
        quarantine.renumber_after_rejects(
            conn, spec.table, pending.relative, [line - header_lines for line, _, _ in rejects]
        )
        quarantine.add_parser_rejects(
            conn,
            spec.table,
            pending.relative,
            pending.facts.sha256,
            loaded_at,
            rejects,
            header_lines,
        )
    # Lines locate CSV records and JSON Lines records; children of a record, and records of a
    # JSON document, are located by their record number alone.
    line_offset = None if plan.shape in ("array", "document") or is_child else header_lines
    if any(marked for _, marked in inserted.values()):
        quarantine.move_marked_rows(conn, spec.table, relatives, line_offset)
    for relative, c in counts.items():
        n, marked = inserted.get(relative, (0, 0))
        unreadable = len(rejects)  # only ever for a file alone
        c.read = n + unreadable
        c.quarantined = marked + unreadable
        c.loaded = n - marked
        if n_skipped := skipped.get(relative, 0):
            c.notes.append(
                f"{n_skipped:,} record(s) of other kinds skipped here (not {spec.table} "
                "records: e.g. a bulk operation's nested lines, read by their own tables)"
            )
        if c.read == 0:
            c.notes.append("header only: no data rows" if is_csv else "no records")
    return counts


def _natural_key_notes(
    conn: duckdb.DuckDBPyConnection, spec: SourceSpec, relatives: list[str]
) -> dict[str, list[str]]:
    """Per file: duplicates of the natural key inside it, and keys files loaded before it
    (earlier runs, or earlier in path order in this run) loaded already."""
    if not spec.key_columns:
        return {}
    keys = ", ".join(f'trim("{c}")' for c in spec.key_columns)
    on = " and ".join(f'trim(o."{c}") is not distinct from trim(n."{c}")' for c in spec.key_columns)
    # Rows without any key value (an export without the key column) have no key to repeat.
    has_key = " or ".join(f'trim("{c}") is not null' for c in spec.key_columns)
    batch = "(select unnest(?::varchar[]))"
    duplicates = dict(
        conn.execute(
            f"select _source_file, count(*) - count(distinct ({keys})) from raw.{spec.table} "
            f"where _source_file in {batch} and ({has_key}) group by _source_file",
            [relatives],
        ).fetchall()
    )
    earlier = dict(
        conn.execute(
            f"with n as (select * from raw.{spec.table} where _source_file in {batch}), "
            f"o as (select * from raw.{spec.table}) "
            "select n._source_file, count(*) from n where exists (select 1 from o where "
            f"{on} and o._source_file <> n._source_file and "
            f"(o._source_file not in {batch} or o._source_file < n._source_file)) "
            "group by n._source_file",
            [relatives, relatives],
        ).fetchall()
    )
    notes: dict[str, list[str]] = {}
    for relative in relatives:
        found = notes.setdefault(relative, [])
        if n := duplicates.get(relative):
            found.append(
                f"{n:,} duplicate row(s) of the natural key ({', '.join(spec.key_columns)}) "
                "inside the file: all loaded, staging keeps the last"
            )
        if n := earlier.get(relative):
            found.append(
                f"{n:,} row(s) re-deliver natural keys loaded from earlier files: "
                "staging keeps this file's version (latest load wins)"
            )
    return notes


def _record(
    spec: SourceSpec,
    pending: _Pending,
    status: str,
    counts: _Counts | None,
    message: str,
    loaded_at: datetime,
) -> manifest.FileRecord:
    counts = counts or _Counts()
    return manifest.FileRecord(
        spec.table,
        pending.relative,
        pending.facts.size,
        pending.facts.sha256,
        counts.read,
        counts.loaded,
        counts.quarantined,
        status,
        message,
        loaded_at,
    )


def _duplicate(
    spec: SourceSpec, file: _Pending, twin: str, loaded_at: datetime
) -> manifest.FileRecord:
    return _record(
        spec, file, "duplicate", None, f"same content as {twin}, already loaded", loaded_at
    )


def _load_batch(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    plan: ReadPlan,
    batch: list[tuple[_Pending, Path]],
    loaded_at: datetime,
) -> list[manifest.FileRecord]:
    """Loads the files of one plan in ONE transaction: all of them, or none (a process killed
    before the commit leaves no trace of any). A batch that fails is loaded file by file, so
    a bad file is rejected alone with its own message."""
    conn.execute("begin transaction")
    try:
        # A re-export of the same file replaces what that file loaded before.
        replaced = [p.relative for p, _ in batch if p.replaces]
        if replaced:
            conn.execute(
                f"delete from raw.{spec.table} where _source_file in (select unnest(?::varchar[]))",
                [replaced],
            )
            quarantine.clear_files(conn, spec.table, replaced)
        counts = _load_rows(conn, spec, plan, batch, loaded_at)
        with_rows = [relative for relative, c in counts.items() if c.loaded]
        for relative, notes in _natural_key_notes(conn, spec, with_rows).items():
            counts[relative].notes += notes
        results = []
        for pending, _ in batch:
            c = counts[pending.relative]
            if c.quarantined:
                c.notes.append(
                    f"{c.quarantined:,} record(s) quarantined (see raw.quarantined_rows)"
                )
            results.append(_record(spec, pending, "loaded", c, "; ".join(c.notes), loaded_at))
        manifest.record_many(conn, results)
        if tombstones_exist(conn):  # forgotten people stay forgotten (files alone, see below)
            for pending, _ in batch:
                privacy.drop_tombstoned_rows(conn, spec, pending.relative)
        conn.execute("commit")
        return results
    except (duckdb.Error, CdpError, _SplitBatch) as exc:
        conn.execute("rollback")
        if len(batch) > 1:
            return [r for one in batch for r in _load_batch(conn, spec, plan, [one], loaded_at)]
        if isinstance(exc, _SplitBatch):  # never raised for a file alone
            raise
        message = str(exc).splitlines()[0] if isinstance(exc, CdpError) else _duckdb_message(exc)
        return [_record(spec, batch[0][0], "rejected", None, message, loaded_at)]


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
    for record in loaded:
        if failed := validation.summary(results[record.file_path]):
            message = "; ".join(part for part in (record.message, failed) if part)
            checked[record.file_path] = replace(record, message=message)
    conn.execute("begin transaction")
    try:
        validation.store_results(
            conn,
            spec.table,
            loaded[0].loaded_at,
            [(r.file_path, r.sha256, results[r.file_path]) for r in loaded],
        )
        manifest.record_many(conn, list(checked.values()))
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return [checked.get(f.file_path, f) if f.status == "loaded" else f for f in files]


# Files of one plan are read in one scan; a batch stays small enough that redoing it file by
# file (when one of its files is bad) costs little more than the scan itself.
BATCH_MAX_FILES = 1000
BATCH_MAX_BYTES = 256 << 20


def _plan_batches(
    spec: SourceSpec, pending: list[_Pending], tombstones: bool
) -> tuple[list[tuple[ReadPlan, list[_Pending]]], list[_Pending]]:
    """(batches of UTF-8 files sharing a read plan, files loaded alone).

    Alone: files to transcode, CSV files cut off inside a quoted value and files whose plan
    fails (the load reports why), and every file while tombstones exist (the privacy hook
    works file by file)."""
    groups: dict[tuple, tuple[ReadPlan, list[_Pending]]] = {}
    alone = []
    is_csv = isinstance(spec.format, CsvFormat)
    for file in pending:
        if tombstones or not file.facts.is_utf8 or (is_csv and file.facts.quotes % 2):
            alone.append(file)
            continue
        try:
            plan = read_plan(spec, file.path, file.path.name)
        except (CdpError, OSError, UnicodeError, ValueError):
            alone.append(file)
            continue
        key = plan.batch_key
        if key not in groups:
            groups[key] = (plan, [])
        groups[key][1].append(file)
    batches = []
    for plan, files in groups.values():
        current: list[_Pending] = []
        size = 0
        for file in files:
            if current and (
                len(current) >= BATCH_MAX_FILES or size + file.facts.size > BATCH_MAX_BYTES
            ):
                batches.append((plan, current))
                current, size = [], 0
            current.append(file)
            size += file.facts.size
        batches.append((plan, current))
    return batches, alone


def _load_alone(
    conn: duckdb.DuckDBPyConnection, spec: SourceSpec, file: _Pending, loaded_at: datetime
) -> list[manifest.FileRecord]:
    try:
        with utf8_view(file.path, file.facts) as readable:
            plan = read_plan(spec, readable, file.path.name)
            return _load_batch(conn, spec, plan, [(file, readable)], loaded_at)
    except (CdpError, duckdb.Error) as exc:  # the file could not even be planned
        message = str(exc).splitlines()[0] if isinstance(exc, CdpError) else _duckdb_message(exc)
        return [_record(spec, file, "rejected", None, message, loaded_at)]


def _load_pending(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    pending: list[_Pending],
    loaded_at: datetime,
) -> list[manifest.FileRecord]:
    batches, alone = _plan_batches(spec, pending, tombstones_exist(conn))
    results = []
    for plan, files in batches:
        largest = max(f.facts.size for f in files)
        if plan.memory_bytes:
            plan = replace(plan, memory_bytes=largest * JSON_DOCUMENT_MEMORY_FACTOR)
        results += _load_batch(conn, spec, plan, [(f, f.path) for f in files], loaded_at)
    for file in alone:
        results += _load_alone(conn, spec, file, loaded_at)
    return results


# Ends the note a kept version carries, so the next rejection replaces it instead of adding one.
_KEPT_NOTE = re.compile(r"(; )?a newer delivery was rejected .*? its earlier rows are kept")


def _record_unloaded(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    outcome: dict[str, manifest.FileRecord],
    loaded_at: datetime,
) -> None:
    """Writes the manifest entries of the files this run did not load (rejected, duplicate).

    A re-delivery of a loaded file that cannot be read is rejected, but the rows of the version
    loaded before stay, and so does that version's entry, with a note: a truncated export must
    not empty a table and, through it, the audiences built on it (problems stay local to their
    file). A re-delivery that is a duplicate of another file gives up its earlier rows, which
    its twin now holds. Either way the manifest and raw agree (ingestion/audit.py: reconcile)."""
    unloaded = [r for r in outcome.values() if r.status in ("rejected", "duplicate")]
    earlier = manifest.loaded_entries(conn, spec.table, [r.file_path for r in unloaded])
    entries, superseded = [], []
    for record in unloaded:
        kept = earlier.get(record.file_path)
        if kept is None:
            entries.append(record)
        elif record.status == "duplicate":
            entries.append(record)
            superseded.append(record.file_path)
        else:
            note = (
                f"a newer delivery was rejected on {loaded_at:%Y-%m-%d %H:%M} UTC "
                f"({record.message}), its earlier rows are kept"
            )
            message = _KEPT_NOTE.sub("", kept.message or "")
            entries.append(replace(kept, message="; ".join(m for m in (message, note) if m)))
            outcome[record.file_path] = replace(
                record,
                message=f"{record.message}; the {kept.rows_loaded:,} row(s) its earlier version "
                f"loaded on {kept.loaded_at:%Y-%m-%d %H:%M} stay in raw.{spec.table} until a "
                "readable version arrives",
            )
    conn.execute("begin transaction")
    try:
        if superseded:
            conn.execute(
                f"delete from raw.{spec.table} where _source_file in (select unnest(?::varchar[]))",
                [superseded],
            )
            quarantine.clear_files(conn, spec.table, superseded)
        manifest.record_many(conn, entries)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


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
    known = manifest.known_files(conn, spec.table)
    outcome: dict[str, manifest.FileRecord] = {}
    order: list[str] = []
    pending: list[_Pending] = []
    twins: list[tuple[_Pending, str]] = []  # same content as a file this run loads
    content_this_run: dict[str, str] = {}
    with _loading_settings(conn, memory_limit):
        for path in spec.files(landing_dir):
            relative = path.relative_to(landing_dir).as_posix()
            order.append(relative)
            facts = inspect_file(path)
            file = _Pending(path, relative, facts, relative in known.paths)
            if known.loaded_sha.get(relative) == facts.sha256:
                outcome[relative] = _record(
                    spec, file, "unchanged", None, "already loaded with the same content", loaded_at
                )
            elif (twin := known.first_path.get(facts.sha256)) is not None and twin != relative:
                outcome[relative] = _duplicate(spec, file, twin, loaded_at)
            elif (twin := content_this_run.get(facts.sha256)) is not None:
                twins.append((file, twin))
            else:
                content_this_run[facts.sha256] = relative
                pending.append(file)
        for result in _load_pending(conn, spec, pending, loaded_at):
            outcome[result.file_path] = result
        # A twin is a duplicate of the file this run loaded with its content, if that loaded.
        for file, twin in twins:
            if outcome[twin].status == "loaded":
                outcome[file.relative] = _duplicate(spec, file, twin, loaded_at)
            else:
                outcome[file.relative] = _load_pending(conn, spec, [file], loaded_at)[0]
        _record_unloaded(conn, spec, outcome, loaded_at)
        report.files = [outcome[relative] for relative in order]
        if validate:
            report.files = _validate_loaded(conn, spec, report.files)
    report.total_rows = _scalar(conn, f"select count(*) from raw.{spec.table}")
    return report
