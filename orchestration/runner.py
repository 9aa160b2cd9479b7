"""Runs the main job in-process for the CLI, with progress lines and a summary at the end."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from ingestion.landing import drop_removed_rejections
from ingestion.recognition import describe_unrecognised
from ingestion.settings import Settings
from ingestion.sources import unrecognised_files
from ingestion.warehouse import connect, writer_lock
from orchestration.summary import RunSummary, collect


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
) -> bool:
    """Executes the `cdp_daily` job; returns True when every step and blocking check passed."""
    import dagster as dg

    from orchestration.dbt_project import prepare_manifest
    from orchestration.instance import ensure_dagster_home
    from orchestration.progress import progress_logger

    _export_settings(settings)
    ensure_dagster_home()
    started = datetime.now(UTC).replace(tzinfo=None)
    # Held for the whole run: a second `cdp run` (or a UI run) stops at once with a clear message.
    with writer_lock(settings.warehouse):
        with console.status("Parsing the dbt project…"):
            prepare_manifest(settings)
        from orchestration.definitions import defs

        job = defs.resolve_job_def("cdp_daily").with_logger_defs(
            {"console": progress_logger(console)}
        )
        as_of_var = as_of.strftime("%Y-%m-%d %H:%M:%S") if as_of else ""
        console.print(f"Running the pipeline on {settings.warehouse}")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.get(),
            run_config={
                "loggers": {"console": {}},
                "ops": {
                    "cdp_dbt_models": {"config": {"as_of": as_of_var, "full_refresh": full_refresh}}
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
        finally:
            conn.close()
    # Rejections of files removed from the landing folder since are history (`cdp status`).
    summary.files = drop_removed_rejections(summary.files, settings.landing_dir)
    print_summary(summary, settings, console)
    for path in unrecognised_files(settings.landing_dir):
        console.print(
            f"Not loaded: {describe_unrecognised(path, settings.landing_dir)} "
            "(docs/sources.md lists the formats)",
            style="yellow",
            markup=False,
        )
    if not result.success:
        console.print("[red]The run failed: see the lines marked ✗ above.[/red]")
        return False
    # A step Dagster skipped (an upstream output never arrived) leaves stale assets behind
    # while the run still counts as a success: report it as the failure it is.
    skipped = sorted(
        {event.step_key for event in result.all_events if event.event_type_value == "STEP_SKIPPED"}
    )
    if skipped:
        console.print(f"[red]Steps skipped, their assets are stale: {', '.join(skipped)}[/red]")
        return False
    if summary.rejected_files:
        console.print(f"[red]{len(summary.rejected_files)} file(s) were rejected: see above.[/red]")
        return False
    return True


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
