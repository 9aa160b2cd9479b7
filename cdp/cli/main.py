"""`cdp`: the command line of the customer data platform."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cdp.cli.console import make_console
from cdp.cli.match import match_app
from cdp.core.errors import CdpError
from cdp.core.settings import DBT_PROFILE_VARIABLES, VARIABLES, Settings
from cdp.core.warehouse import (
    check_writable,
    connect,
    require_warehouse,
    table_names,
    writer_lock,
)
from ingestion.sources import SOURCES


def _environment_help() -> str:
    """The `CDP_*` variables with meaning and default, from their one declaration
    (cdp/core/settings.py), as the epilog of `cdp --help`."""
    lines = ["[b]Environment variables[/b] (settings; a relative path is taken from the folder "
             "you run cdp in)"]  # fmt: skip
    for variable in (*VARIABLES.values(), *DBT_PROFILE_VARIABLES):
        lines.append(
            escape(f"{variable.name} (default {variable.default_text}): {variable.meaning}")
        )
    return "\n\n".join(lines)


app = typer.Typer(
    help="Batch customer data platform: raw exports in, unified profiles and audience files out.",
    epilog=_environment_help(),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = make_console()
app.add_typer(match_app, name="match")


def _fail(message: str, shown_on: Console | None = None) -> None:
    (shown_on or console).print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code=1)


def _parse_as_of(value: str | None, shown_on: Console | None = None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(
            f"--as-of {value!r} is not an ISO date or timestamp (e.g. 2025-06-30T12:00:00Z)",
            shown_on,
        )
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _landing_has_files(settings: Settings) -> bool:
    return any(spec.files(settings.landing_dir) for spec in SOURCES.values())


@app.command("demo-data")
def demo_data(
    people: Annotated[int, typer.Option(help="Number of true people to simulate.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 42,
    as_of: Annotated[str | None, typer.Option(help="End of the simulated history (ISO).")] = None,
    hard_cases: Annotated[
        bool, typer.Option(help="Add identity hard cases (typos, shared devices, …).")
    ] = False,
    variants: Annotated[
        bool,
        typer.Option(
            help="Write part of the exports in the tools' other documented shapes (older "
            "columns, GraphQL bulk orders, Segment/RudderStack events, …) with messy identifiers."
        ),
    ] = False,
    fuzzy: Annotated[
        bool,
        typer.Option(
            help="Add people (15 %) whose Square profile, Shopify account and Mailchimp member "
            "share no email or phone, only name, address and birthday (another email at the "
            "till, a mistyped phone, nicknames): cases for probabilistic matching."
        ),
    ] = False,
) -> None:
    """Writes realistic, messy demo exports into the landing folder (+ ground truth beside it)."""
    settings = Settings.from_env()
    summary = _generate_demo(
        settings,
        console,
        people=people,
        seed=seed,
        as_of=_parse_as_of(as_of),
        hard_cases=hard_cases,
        variants=variants,
        fuzzy=fuzzy,
    )
    table = Table(title=f"Demo exports in {settings.landing_dir}")
    table.add_column("file")
    table.add_column("records", justify="right")
    for written in summary.files:
        path = Path(written.path)
        shown = (
            path.relative_to(settings.landing_dir)
            if path.is_relative_to(settings.landing_dir)
            else path
        )
        table.add_row(str(shown), f"{written.records:,}")
    console.print(table)
    console.print(f"Ground truth for tests and benchmarks: {settings.truth_dir}")


def _generate_demo(settings: Settings, shown_on: Console, people: int, **options):
    """`generate_demo_data` into the configured folders, with a spinner on `shown_on`."""
    from cdp.demo_data import generate_demo_data

    with shown_on.status(f"Generating demo exports for {people:,} people…"):
        return generate_demo_data(
            settings.landing_dir, settings.truth_dir, people=people, **options
        )


@app.command()
def run(
    as_of: Annotated[
        str | None, typer.Option(help="What 'now' means for recency rules (ISO); default: now.")
    ] = None,
    full_refresh: Annotated[bool, typer.Option(help="Rebuild incremental models.")] = False,
    demo_if_empty: Annotated[
        bool,
        typer.Option(
            help="When the landing folder holds no exports, generate demo data first (refused "
            "when the warehouse holds real loads). `make run` uses it."
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            help="Fail (exit 1) on warnings too: unknown vocabulary values, quarantined "
            "records, failed expectations, dbt tests that warned, unrecognised files."
        ),
    ] = False,
    demo_people: Annotated[
        int, typer.Option(help="People in the demo data --demo-if-empty generates.")
    ] = 1000,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="Also show each asset as it is built, the steps' log lines and dbt's own "
            "lines (the run's log file always has them).",
        ),
    ] = False,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the summary as one JSON document on stdout, and nothing else there "
            "(progress and messages go to stderr).",
        ),
    ] = False,
) -> None:
    """Runs the whole pipeline: ingest → identity → profiles → CRM marts → segments → exports.

    Exit 0 when it completed (warnings included), 1 on a real failure (a step or model failed,
    an error-severity test failed, a file was rejected) or, with --strict, on warnings."""
    from cdp.cli.runner import run_pipeline

    # With --json, stdout holds the JSON document only: everything else goes to stderr.
    shown_on = make_console(sys.stderr) if json_output else console
    settings = Settings.from_env()
    as_of_moment = _parse_as_of(as_of, shown_on)
    if not demo_if_empty and not _landing_has_files(settings) and not settings.warehouse.exists():
        _fail(
            f"No exports in {settings.landing_dir} and no warehouse at {settings.warehouse} "
            "yet: nothing to run on. Drop exports into the landing folder (docs/sources.md), "
            "or try the platform on demo data with `cdp run --demo-if-empty` (what `make run` "
            "does).",
            shown_on,
        )
    try:
        # Held from the demo-data checks to the end of the run (the runner re-enters it).
        with writer_lock(settings.warehouse):
            _prepare_landing(settings, shown_on, demo_if_empty, demo_people, as_of_moment)
            ok = run_pipeline(
                settings,
                shown_on,
                as_of=as_of_moment,
                full_refresh=full_refresh,
                strict=strict,
                verbose=verbose,
                json_output=json_output,
            )
    except CdpError as exc:
        _fail(str(exc), shown_on)
    raise typer.Exit(code=0 if ok else 1)


def _prepare_landing(
    settings: Settings,
    shown_on: Console,
    demo_if_empty: bool,
    demo_people: int,
    as_of: datetime | None,
) -> None:
    """Demo data only when asked for, and never mixed with real exports (README, "Demo data").

    Fails before anything starts when the warehouse cannot be written. Records in the
    warehouse which landing files are unchanged demo output (`meta.demo_files`), so the
    warehouse knows its demo loads from its real ones after the landing folder is emptied.
    """
    from cdp.demo_data.marker import (
        demo_files_present,
        loaded_shas,
        real_loads,
        record_demo_files,
    )

    landing, warehouse = settings.landing_dir, settings.warehouse
    empty = not _landing_has_files(settings)
    check_writable(warehouse)
    conn = connect(warehouse)
    try:
        real = real_loads(conn)
        if empty and demo_if_empty:
            if real:
                _fail(
                    f"Not generating demo data: {landing} holds no exports, but the warehouse "
                    f"{warehouse} holds {len(real)} loaded file(s) that are not demo data "
                    f"(e.g. {real[0]}), and demo people would mix with real ones. Drop new "
                    "exports into the landing folder, run `cdp run` to rebuild from what the "
                    "warehouse holds, or set CDP_LANDING_DIR and CDP_WAREHOUSE to other "
                    "folders to try the demo.",
                    shown_on,
                )
            shown_on.print(
                f"[yellow]No exports in {escape(str(landing))}: generating demo data "
                f"({demo_people:,} people) first (--demo-if-empty).[/yellow]"
            )
            demo = _generate_demo(
                settings, shown_on, people=demo_people, seed=42, as_of=as_of,
                hard_cases=False, variants=False, fuzzy=False,
            )  # fmt: skip
            records = sum(written.records for written in demo.files)
            shown_on.print(
                f"Demo exports written: {len(demo.files):,} files, {records:,} records "
                f"(`cdp demo-data` lists them); ground truth in {settings.truth_dir}",
                markup=False,
            )
        elif empty:
            shown_on.print(
                f"No exports in {landing}: nothing new to load; the run rebuilds models and "
                f"exports from what {warehouse} holds.",
                markup=False,
            )
        demo = demo_files_present(landing)
        loaded = loaded_shas(conn)
        new_demo = sorted(path for path, sha in demo.items() if sha not in loaded)
        if new_demo and real:
            _fail(
                f"Not loading demo data: {landing} holds {len(new_demo)} new file(s) written "
                f"by `cdp demo-data` (e.g. {new_demo[0]}), and the warehouse {warehouse} holds "
                f"{len(real)} loaded file(s) that are not demo data (e.g. {real[0]}): demo "
                "people would mix with real ones. Remove the demo files (listed in the landing "
                "folder's .cdp-demo-data.json), or set CDP_LANDING_DIR and CDP_WAREHOUSE to "
                "other folders for the demo.",
                shown_on,
            )
        record_demo_files(conn, demo)
    finally:
        conn.close()


@app.command()
def profile(
    identifier: Annotated[str, typer.Argument(help="An email address, phone number or person id.")],
) -> None:
    """Prints one person's unified profile and all their identifiers."""
    from cdp.cli.lookup import print_profile

    print_profile(Settings.from_env(), identifier, console)


@app.command()
def explain(
    identifier: Annotated[str, typer.Argument(help="An email address, phone number or person id.")],
) -> None:
    """Shows why a person is one person: identifiers, linking records, refused links, merges."""
    from cdp.cli.explain import print_explanation

    print_explanation(Settings.from_env(), identifier, console)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port of the Dagster UI.")] = 3000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
) -> None:
    """Opens the Dagster UI on the same definitions (asset graph from files to exports)."""
    from orchestration.dbt_project import prepare_manifest
    from orchestration.instance import ensure_dagster_home

    settings = Settings.from_env()
    ensure_dagster_home()
    prepare_manifest(settings)
    os.environ.update(
        CDP_LANDING_DIR=str(settings.landing_dir),
        CDP_WAREHOUSE=str(settings.warehouse),
        CDP_EXPORTS_DIR=str(settings.exports_dir),
    )
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        host,
        "-p",
        str(port),
    ]
    console.print(f"Dagster UI on http://{host}:{port} (Ctrl-C to stop)")
    raise typer.Exit(subprocess.call(command))


@app.command()
def forget(
    identifier: Annotated[str, typer.Argument(help="The person's email address or phone number.")],
) -> None:
    """Erases a person (raw rows, marts, export state), keeps a hashed tombstone."""
    from cdp.cli.forget import forget as forget_person

    report = forget_person(Settings.from_env(), identifier)
    who = ", ".join(report.person_ids) or "no resolved person (raw rows matched directly)"
    console.print(f"Forgot {report.identifier_type} {report.identifier_value}: {who}")
    table = Table(title="Deleted", title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in sorted(report.deleted.items()):
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        f"{report.tombstones} tombstone(s) recorded in meta.tombstones (sha256 only): re-imported "
        "rows of this person are dropped. The next export lists them in each `removes` file."
    )


@app.command()
def exposures(
    check: Annotated[
        bool,
        typer.Option(help="Only check that the committed file is up to date (exit 1 if not)."),
    ] = False,
) -> None:
    """Writes the dbt exposures of the exports (one per destination and segment) from the
    segments' meta into dbt_project/models/marts/segments/_segments__exposures.yml."""
    from cdp.core.dbt_paths import DBT_PROJECT_DIR
    from exports.exposures import EXPOSURES_FILE, render_exposures, write_exposures
    from exports.segments import load_segment_specs
    from orchestration.dbt_project import prepare_manifest

    try:
        specs = load_segment_specs(prepare_manifest(Settings.from_env()))
    except CdpError as error:
        raise CdpError(
            f"{error} (if {EXPOSURES_FILE.name} names a segment model that no longer exists, "
            "delete the file and run `cdp exposures` again)"
        ) from None
    shown = (
        EXPOSURES_FILE.relative_to(DBT_PROJECT_DIR.parent)
        if EXPOSURES_FILE.is_relative_to(DBT_PROJECT_DIR.parent)
        else EXPOSURES_FILE
    )
    count = sum(len(spec.destinations) for spec in specs)
    if check:
        current = EXPOSURES_FILE.read_text(encoding="utf-8") if EXPOSURES_FILE.exists() else ""
        if current != render_exposures(specs):
            _fail(f"{shown} is out of date with the segments' meta: run `cdp exposures`.")
        console.print(f"{shown} is up to date ({count} exposures).")
        return
    changed = write_exposures(specs, EXPOSURES_FILE)
    console.print(f"{'Wrote' if changed else 'Unchanged:'} {shown} ({count} exposures).")


@app.command()
def status() -> None:
    """Shows the ingestion manifest per source, rejected files and the latest quarantines."""
    from cdp.cli.status import print_status

    raise typer.Exit(code=0 if print_status(Settings.from_env(), console) else 1)


@app.command()
def segments() -> None:
    """Lists the segments with their size, channel, destinations and last membership change."""
    from exports.segments import load_segment_specs
    from orchestration.dbt_project import dbt_project, prepare_manifest

    settings = Settings.from_env()
    require_warehouse(settings.warehouse)
    if not dbt_project.manifest_path.exists():
        prepare_manifest(settings)
    specs = load_segment_specs(dbt_project.manifest_path)
    conn = connect(settings.warehouse, read_only=True)
    try:
        tables = table_names(conn)
        changes: dict[str, tuple] = {}
        if "marts.segment_membership_history" in tables:
            # The last run that changed a segment, and who entered / left in it.
            for name, changed_at, entered, left in conn.execute(
                """
                with moves as (
                    select segment_name, entered_at as moved_at, 1 as entered, 0 as left_
                    from marts.segment_membership_history
                    union all
                    select segment_name, exited_at, 0, 1
                    from marts.segment_membership_history where exited_at is not null
                ),
                last_change as (
                    select segment_name, max(moved_at) as changed_at from moves group by 1
                )
                select moves.segment_name, last_change.changed_at,
                       sum(moves.entered), sum(moves.left_)
                from moves
                inner join last_change
                    on moves.segment_name = last_change.segment_name
                    and moves.moved_at = last_change.changed_at
                group by 1, 2
                """
            ).fetchall():
                changes[name] = (changed_at, entered, left)
        table = Table(title="Segments", title_justify="left")
        for column in (
            "segment",
            "people",
            "channel",
            "destinations",
            "refresh",
            "last change",
            "entered",
            "left",
        ):
            table.add_column(
                column, justify="right" if column in ("people", "entered", "left") else "left"
            )
        for spec in specs:
            size = "not built"
            if spec.relation in tables:
                [(count,)] = conn.execute(f"select count(*) from {spec.relation}").fetchall()
                size = f"{count:,}"
            changed_at, entered, left = changes.get(spec.name, (None, 0, 0))
            table.add_row(
                spec.name,
                size,
                spec.channel,
                ", ".join(spec.destinations),
                spec.refresh,
                changed_at.strftime("%Y-%m-%d %H:%M") if changed_at else "never",
                f"{entered:,}",
                f"{left:,}",
            )
    finally:
        conn.close()
    console.print(table)
    console.print(
        "last change: as_of of the latest run that moved someone in or out "
        "(marts.segment_memberships has the full history)."
    )


@app.command()
def report(
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the HTML file; default: <CDP_EXPORTS_DIR>/report/cdp_report.html."
        ),
    ] = None,
) -> None:
    """Writes one self-contained HTML report (opens offline): people, identity, segments,
    consent, predictions, data quality and exports, as charts."""
    from cdp.report.build import build_report

    with console.status("Reading the warehouse and drawing the report…"):
        result = build_report(Settings.from_env(), out.resolve() if out else None)
    empty = f"; no data yet for: {'; '.join(result.empty)}" if result.empty else ""
    console.print(f"Report with {result.charts} charts{escape(empty)}.")
    console.print(f"Open it in a browser: {escape(str(result.path))}")


def main() -> None:
    """Entry point: user errors are printed as one clear line, never as a traceback."""
    try:
        app()
    except CdpError as exc:
        # escaped: a message may hold brackets (`cdp[demo]`, a list) that are not markup
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        sys.exit(1)


if __name__ == "__main__":
    main()
