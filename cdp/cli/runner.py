"""Runs the main job in-process for the CLI: progress per stage, a log file, a summary."""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import redirect_stdout
from datetime import UTC, datetime

from rich.console import Console

from cdp.cli.log_file import LineSink, open_run_log
from cdp.cli.progress import RunProgress, plan_stages, progress_logger
from cdp.cli.report import print_summary, print_warnings, summary_document
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
    verbose: bool = False,
    json_output: bool = False,
) -> bool:
    """Executes the `cdp_daily` job; returns True when it completed without a real failure
    (and, with `strict`, without warnings): see `judge_run`.

    `console` shows the progress and the short summary (on stderr with `json_output`, whose
    JSON document is then the only thing on stdout); everything, dbt's lines included, also
    goes to the run's log file (cdp/cli/log_file.py)."""
    import dagster as dg

    from orchestration.dbt_project import prepare_manifest
    from orchestration.instance import ensure_dagster_home
    from orchestration.run_outcome import judge_events

    _export_settings(settings)
    ensure_dagster_home()
    started_at = datetime.now(UTC)
    started = started_at.replace(tzinfo=None)
    started_clock = time.time()
    log = open_run_log(settings.warehouse, started_at)
    try:
        log.line(
            f"cdp run on {settings.warehouse}, started {started:%Y-%m-%d %H:%M:%S} UTC"
            + (f", as of {as_of:%Y-%m-%d %H:%M:%S}" if as_of else "")
            + (", full refresh" if full_refresh else "")
        )
        # Held for the whole run: a second `cdp run` (or a UI run) stops at once.
        with writer_lock(settings.warehouse):
            as_of_var = as_of.strftime("%Y-%m-%d %H:%M:%S") if as_of else ""
            sink = LineSink(log.line)
            with console.status("Parsing the dbt project…"), redirect_stdout(sink):
                prepare_manifest(settings, as_of_var)
            from orchestration.definitions import defs

            job = defs.resolve_job_def("cdp_daily")
            stages = plan_stages(job)
            progress = RunProgress(console, log, stages, verbose=verbose)
            job = job.with_logger_defs({"console": progress_logger(progress)})
            console.print(f"Running the pipeline on {settings.warehouse}", markup=False)
            sink = LineSink(progress.output_line)
            # The run-wide dbt options both dbt steps read (orchestration/resources.py).
            dbt_run = {"config": {"as_of": as_of_var, "full_refresh": full_refresh}}
            with progress, redirect_stdout(sink):
                result = job.execute_in_process(
                    instance=dg.DagsterInstance.get(),
                    run_config={"loggers": {"console": {}}, "resources": {"dbt_run": dbt_run}},
                    raise_on_error=False,
                    tags={"cdp/trigger": "cli"},
                )
                sink.close_pending()
            summary = _collect(settings, started)
        # Rejections of files removed from the landing folder since are history (`cdp status`).
        summary.files = drop_removed_rejections(summary.files, settings.landing_dir)
        outcome = judge_events(result.all_events)
        print_summary(summary, settings, log.console, full=True)
        if not json_output:
            print_summary(summary, settings, console)
        for shown in (log.console, console):
            for path in unrecognised_files(settings.landing_dir):
                shown.print(
                    f"Not loaded: {describe_unrecognised(path, settings.landing_dir)} "
                    "(docs/sources.md lists the formats)",
                    style="yellow",
                    markup=False,
                )
        report = default_report_path(settings)
        report_written = report.exists() and report.stat().st_mtime >= started_clock
        if report_written:
            for shown in (log.console, console):
                shown.print(
                    f"Report: {report} (opens offline in a browser; `cdp report` redraws it)",
                    markup=False,
                )
        judge_run(result.all_events, summary, log.console, strict=strict)
        ok = judge_run(result.all_events, summary, console, strict=strict)
        if progress.warnings_held:
            console.print(
                f"[yellow]… and {progress.warnings_held} more warning line(s) from the steps "
                "in the log file.[/yellow]"
            )
        console.print(f"Log: {log.path}", markup=False, soft_wrap=True)
        if json_output:
            document = summary_document(
                summary, stages, outcome, ok, settings, log.path, progress.step_warnings
            )
            document["report_file"] = str(report) if report_written else None
            sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        return ok
    finally:
        log.close()


def _collect(settings: Settings, started: datetime) -> RunSummary:
    from exports.segments import load_segment_specs
    from orchestration.dbt_project import dbt_project

    segments = {s.name: s.relation for s in load_segment_specs(dbt_project.manifest_path)}
    conn = connect(settings.warehouse)
    try:
        summary = collect(conn, started, segments)
        summary.warnings = collect_warnings(conn, settings.landing_dir)
    finally:
        conn.close()
    return summary


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
