"""Runs the main job in-process for the CLI, with progress lines and a summary at the end."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from cdp.cli.summary import RunSummary, collect, collect_warnings
from cdp.core.settings import Settings
from cdp.core.warehouse import connect, writer_lock
from cdp.report.build import default_report_path
from ingestion.landing import drop_removed_rejections
from ingestion.recognition import describe_unrecognised
from ingestion.sources import unrecognised_files


def _export_settings(settings: Settings) -> None:
    """The definitions and the dbt subprocess read the same, absolute, settings."""
    os.environ.update(
        CDP_LANDING_DIR=str(settings.landing_dir),
        CDP_WAREHOUSE=str(settings.warehouse),
        CDP_EXPORTS_DIR=str(settings.exports_dir),
        CDP_TRUTH_DIR=str(settings.truth_dir),
    )


def run_pipeline(
    settings: Settings,
    console: Console,
    as_of: datetime | None = None,
    full_refresh: bool = False,
    strict: bool = False,
) -> bool:
    """Executes the `cdp_daily` job; returns True when it completed without a real failure
    (and, with `strict`, without warnings): see `judge_run`."""
    import dagster as dg

    from cdp.cli.progress import progress_logger
    from orchestration.dbt_project import prepare_manifest
    from orchestration.instance import ensure_dagster_home

    _export_settings(settings)
    ensure_dagster_home()
    started = datetime.now(UTC).replace(tzinfo=None)
    started_clock = time.time()
    # Held for the whole run: a second `cdp run` (or a UI run) stops at once with a clear message.
    with writer_lock(settings.warehouse):
        as_of_var = as_of.strftime("%Y-%m-%d %H:%M:%S") if as_of else ""
        with console.status("Parsing the dbt project…"):
            prepare_manifest(settings, as_of_var)
        from orchestration.definitions import defs

        job = defs.resolve_job_def("cdp_daily").with_logger_defs(
            {"console": progress_logger(console)}
        )
        console.print(f"Running the pipeline on {settings.warehouse}")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.get(),
            run_config={
                "loggers": {"console": {}},
                # The run-wide dbt options both dbt steps read (orchestration/resources.py).
                "resources": {
                    "dbt_run": {"config": {"as_of": as_of_var, "full_refresh": full_refresh}}
                },
            },
            raise_on_error=False,
            tags={"cdp/trigger": "cli"},
        )
        from exports.segments import load_segment_specs
        from orchestration.dbt_project import dbt_project

        segments = {s.name: s.relation for s in load_segment_specs(dbt_project.manifest_path)}
        conn = connect(settings.warehouse)
        try:
            summary = collect(conn, started, segments)
            summary.warnings = collect_warnings(conn, settings.landing_dir)
        finally:
            conn.close()
    # Rejections of files removed from the landing folder since are history (`cdp status`).
    summary.files = drop_removed_rejections(summary.files, settings.landing_dir)
    print_summary(summary, settings, console)
    report = default_report_path(settings)
    if report.exists() and report.stat().st_mtime >= started_clock:
        console.print(f"Report: {report} (opens offline in a browser; `cdp report` redraws it)")
    for path in unrecognised_files(settings.landing_dir):
        console.print(
            f"Not loaded: {describe_unrecognised(path, settings.landing_dir)} "
            "(docs/sources.md lists the formats)",
            style="yellow",
            markup=False,
        )
    return judge_run(result.all_events, summary, console, strict=strict)


def judge_run(events, summary: RunSummary, console: Console, strict: bool = False) -> bool:
    """Prints what went wrong and decides the exit: False (exit 1) on a real failure — a step
    failed, a dbt model failed, an error-severity test or check failed, a step was skipped,
    a file was rejected — and, with `strict`, on any warning; True otherwise."""
    from orchestration.run_outcome import judge_events

    outcome = judge_events(events)
    print_warnings(summary, outcome, console)
    for line in outcome.not_built:
        console.print(f"[yellow]Not built: {line}[/yellow]")
    if outcome.skipped_steps:
        console.print(
            "[red]Steps skipped (something they depend on was not built; their assets are "
            f"stale): {', '.join(outcome.skipped_steps)}[/red]"
        )
    for path, table, message in _rejected(summary):
        console.print(f"[red]File rejected: {path} ({table}): {message}[/red]")
    for line in outcome.failures:
        console.print(f"[red]✗ {line}[/red]")
    if outcome.failed or summary.rejected_files:
        console.print("[red]The run failed: see the lines marked ✗ above.[/red]")
        return False
    warnings = len(summary.warnings) + len(outcome.dbt_warnings) + len(outcome.check_warnings)
    if warnings and strict:
        console.print(
            f"[red]--strict: the run completed with {warnings} warning class(es) (see "
            "Warnings above), so it fails.[/red]"
        )
        return False
    if warnings:
        console.print(
            f"[yellow]Completed with {warnings} warning class(es) (see Warnings above); "
            "`cdp run --strict` would fail.[/yellow]"
        )
    return True


def _rejected(summary: RunSummary) -> list[tuple[str, str, str]]:
    return [(path, table, message) for table, path, _, _, message in summary.rejected_files]


def print_warnings(summary: RunSummary, outcome, console: Console) -> None:
    """One table row per warning class: what it is, where, how many, a few examples."""
    rows = [(w.kind, w.what, w.count, "; ".join(w.examples)) for w in summary.warnings]
    for test, asset, failures, step in outcome.dbt_warnings:
        rows.append(("dbt test warned", f"{test} on {asset}", failures, f"step {step}"))
    for check, asset, description in outcome.check_warnings:
        rows.append(("check warned", f"{check} on {asset}", 1, description))
    if not rows:
        return
    table = Table(
        title="Warnings (the run went on; `cdp run --strict` fails on them)", title_justify="left"
    )
    for column in ("warning class", "where", "count", "examples"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for kind, what, count, examples in rows:
        table.add_row(kind, what, f"{count:,}", examples, style="yellow")
    console.print(table)


def print_summary(summary: RunSummary, settings: Settings, console: Console) -> None:
    files = Table(title="Files handled by this run", title_justify="left")
    for column in ("source table", "file", "status", "rows"):
        files.add_column(column, justify="right" if column == "rows" else "left")
    for table, path, status, rows, message in summary.files:
        shown = status if not message else f"{status}: {message}"
        style = "red" if status == "rejected" else None
        files.add_row(table, path, shown, f"{rows:,}", style=style)
    if summary.files:
        console.print(files)
    else:
        console.print("No new or changed files: nothing to load.")

    if summary.quarantined:
        held = Table(title="Quarantined records (raw.quarantined_rows)", title_justify="left")
        for column in ("source table", "file", "records", "main reason"):
            held.add_column(column, justify="right" if column == "records" else "left")
        for table, path, count, reason in summary.quarantined:
            held.add_row(table, path, f"{count:,}", reason, style="yellow")
        console.print(held)

    totals = Table(title="Warehouse", title_justify="left")
    totals.add_column("what")
    totals.add_column("count", justify="right")
    for table, rows in summary.raw_rows.items():
        totals.add_row(f"raw.{table} rows", f"{rows:,}")
    totals.add_row("identifiers resolved", f"{summary.identifiers:,}")
    totals.add_row("people resolved", f"{summary.people:,}")
    totals.add_row("profiles built", f"{summary.profiles:,}")
    for name, size in summary.segments.items():
        totals.add_row(f"segment {name}", f"{size:,}")
    console.print(totals)

    if summary.exports:
        exports = Table(title=f"Export files in {settings.exports_dir}", title_justify="left")
        for column in ("destination", "segment", "rows", "refused", "file"):
            exports.add_column(column, justify="right" if column in ("rows", "refused") else "left")
        for destination, segment, rows, refused, path in summary.exports:
            exports.add_row(destination, segment, f"{rows:,}", f"{refused:,}", path)
        console.print(exports)
