"""The end of a `cdp run`: the summary on the terminal (short), in the log file (every file)
and as one JSON document (`--json`)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console

from cdp.cli.console import compact_table
from cdp.cli.progress import Stage
from cdp.cli.summary import RunSummary
from cdp.core.settings import Settings

NOTE_GROUPS = 6
"""Kinds of file note shown on the terminal; the log file has every one."""
_NUMBER = re.compile(r"\d[\d,.]*")
_QUOTED = re.compile(r"'[^']*'")


def warning_rows(summary: RunSummary, outcome: Any) -> list[tuple[str, str, int, str]]:
    """(warning class, where, count, examples): the warehouse's warning classes, dbt tests
    that warned and other checks that warned."""
    rows = [(w.kind, w.what, w.count, "; ".join(w.examples)) for w in summary.warnings]
    for test, asset, failures, step in outcome.dbt_warnings:
        rows.append(("dbt test warned", f"{test} on {asset}", failures, f"step {step}"))
    for check, asset, description in outcome.check_warnings:
        rows.append(("check warned", f"{check} on {asset}", 1, description))
    return rows


def print_warnings(summary: RunSummary, outcome: Any, console: Console) -> None:
    """One table row per warning class: what it is, where, how many, a few examples."""
    rows = warning_rows(summary, outcome)
    if not rows:
        return
    table = compact_table(
        "Warnings (the run went on; `cdp run --strict` fails on them)",
        "warning class",
        "where",
        "count",
        "examples",
        right=("count",),
    )
    for kind, what, count, examples in rows:
        table.add_row(kind, what, f"{count:,}", examples, style="yellow")
    console.print(table)


def print_summary(
    summary: RunSummary, settings: Settings, console: Console, full: bool = False
) -> None:
    """What the run loaded, resolved and exported. Short by default: files per source table,
    the warehouse's totals, one line per export. `full` (the log file) lists every file."""
    if full:
        _files_in_full(summary, console)
    else:
        _files_per_table(summary, console)
        _file_notes(summary, console)

    totals = compact_table("Warehouse", "what", "count", right=("count",))
    totals.add_row("identifiers resolved", f"{summary.identifiers:,}")
    totals.add_row("people resolved", f"{summary.people:,}")
    totals.add_row("profiles built", f"{summary.profiles:,}")
    for name, size in summary.segments.items():
        totals.add_row(f"segment {name}", f"{size:,}")
    console.print(totals)

    if summary.exports:
        columns = ["destination", "segment", "status", "rows", "refused"]
        exports = compact_table(
            f"Export files in {settings.exports_dir}",
            *columns,
            *(["file"] if full else []),
            right=("rows", "refused"),
        )
        for export in summary.exports:
            style = {"failed": "red", "skipped": "yellow", "unchanged": "dim"}.get(export.status)
            cells = [export.destination, export.segment, export.status]
            cells += [f"{export.rows:,}", f"{export.refused:,}"]
            exports.add_row(*cells, *([export.path or ""] if full else []), style=style)
        console.print(exports)
        console.print(_unchanged_line(summary), markup=False)


def _unchanged_line(summary: RunSummary) -> str:
    unchanged = summary.exports_unchanged
    if not unchanged:
        return "Exports unchanged since the last run: none (every export wrote its files)."
    names = ", ".join(f"{e.destination}/{e.segment}" for e in unchanged)
    if len(unchanged) == sum(e.status != "skipped" for e in summary.exports):
        return (
            f"All {len(unchanged)} exports unchanged since the last run: no file written, "
            "the files already there stand."
        )
    return f"Exports unchanged since the last run (no file written): {names}."


def _files_per_table(summary: RunSummary, console: Console) -> None:
    files: dict[str, int] = defaultdict(int)
    rows: dict[str, int] = defaultdict(int)
    rejected: dict[str, int] = defaultdict(int)
    quarantined: dict[str, int] = defaultdict(int)
    for table, _path, status, loaded, _message in summary.files:
        if status == "rejected":
            rejected[table] += 1
        else:
            files[table] += 1
            rows[table] += loaded
    for table, _path, count, _reason in summary.quarantined:
        quarantined[table] += count
    if not summary.files:
        console.print("No new or changed files: nothing to load.")
    tables = sorted(set(summary.raw_rows) | set(files) | set(rejected))
    if not tables:
        return
    columns = ["source table", "files loaded", "rows loaded"]
    columns += ["quarantined"] if quarantined else []
    columns += ["rejected"] if rejected else []
    columns += ["rows in warehouse"]
    title = (
        f"Files loaded by this run: {sum(files.values()):,}, {sum(rows.values()):,} rows "
        "(each file: the log file)"
        if summary.files
        else "Source tables"
    )
    table = compact_table(title, *columns, right=tuple(columns[1:]))
    for name in tables:
        cells = [name, f"{files.get(name, 0):,}", f"{rows.get(name, 0):,}"]
        cells += [f"{quarantined.get(name, 0):,}"] if quarantined else []
        cells += [f"{rejected.get(name, 0):,}"] if rejected else []
        cells += [f"{summary.raw_rows.get(name, 0):,}"]
        table.add_row(*cells, style="red" if rejected.get(name) else None)
    console.print(table)


def _note_kind(note: str) -> str:
    """A note with its numbers and quoted names blanked: notes of one kind group together."""
    return _QUOTED.sub("'…'", _NUMBER.sub("#", note))


def _file_notes(summary: RunSummary, console: Console) -> None:
    """Notes on loaded files (recognised by content, read by other column names, no records, …)
    grouped by kind, the rarest first; the log file has every file's notes."""
    by_kind: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for _table, path, status, _rows, message in summary.files:
        if message and status != "rejected":
            for note in message.split("; "):
                by_kind[_note_kind(note)].append((path, note))
    groups = sorted(by_kind.values(), key=len)
    for notes in groups[:NOTE_GROUPS]:
        path, note = notes[0]
        count = len({p for p, _ in notes})
        where = path if count == 1 else f"{count:,} files, e.g. {path}"
        console.print(f"Note on {where}: {note}", markup=False)
    if len(groups) > NOTE_GROUPS:
        console.print(f"… and {len(groups) - NOTE_GROUPS} more kinds of note in the log file.")


def _files_in_full(summary: RunSummary, console: Console) -> None:
    if not summary.files:
        console.print("No new or changed files: nothing to load.")
    else:
        files = compact_table(
            "Files handled by this run", "source table", "file", "status", "rows", right=("rows",)
        )
        for table, path, status, rows, message in summary.files:
            shown = status if not message else f"{status}: {message}"
            style = "red" if status == "rejected" else None
            files.add_row(table, path, shown, f"{rows:,}", style=style)
        console.print(files)
    if summary.quarantined:
        held = compact_table(
            "Quarantined records (raw.quarantined_rows)",
            "source table",
            "file",
            "records",
            "main reason",
            right=("records",),
        )
        for table, path, count, reason in summary.quarantined:
            held.add_row(table, path, f"{count:,}", reason, style="yellow")
        console.print(held)
    totals = compact_table("Raw tables", "table", "rows", right=("rows",))
    for table, rows in summary.raw_rows.items():
        totals.add_row(f"raw.{table}", f"{rows:,}")
    console.print(totals)


def summary_document(
    summary: RunSummary,
    stages: list[Stage],
    outcome: Any,
    ok: bool,
    settings: Settings,
    log_path: Path,
    step_warnings: list[str],
) -> dict[str, Any]:
    """The summary as plain JSON types (`cdp run --json`)."""
    warnings = warning_rows(summary, outcome)
    return {
        "outcome": "failed" if not ok else "completed_with_warnings" if warnings else "completed",
        "exit_code": 0 if ok else 1,
        "warehouse": str(settings.warehouse),
        "log_file": str(log_path),
        "stages": [stage.as_dict() for stage in stages],
        "files_loaded": [
            {"source_table": t, "file": p, "status": s, "rows": r, "message": m}
            for t, p, s, r, m in summary.files
        ],
        "rows_in_warehouse": summary.raw_rows,
        "quarantined": [
            {"source_table": t, "file": p, "records": n, "main_reason": r}
            for t, p, n, r in summary.quarantined
        ],
        "identifiers_resolved": summary.identifiers,
        "people_resolved": summary.people,
        "profiles_built": summary.profiles,
        "segments": summary.segments,
        "exports_dir": str(settings.exports_dir),
        "exports": [asdict(e) for e in summary.exports],
        "files_written": [e.path for e in summary.exports if e.status == "written" and e.path],
        "exports_unchanged": [f"{e.destination}/{e.segment}" for e in summary.exports_unchanged],
        "warnings": [
            {"class": kind, "where": what, "count": count, "examples": examples}
            for kind, what, count, examples in warnings
        ],
        "step_warnings": step_warnings,
        "failures": outcome.failures,
        "not_built": outcome.not_built,
        "skipped_steps": outcome.skipped_steps,
        "rejected_files": [
            {"source_table": t, "file": p, "message": m} for t, p, _, _, m in summary.rejected_files
        ],
    }
