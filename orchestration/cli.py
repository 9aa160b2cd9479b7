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
from rich.table import Table

from ingestion.errors import CdpError
from ingestion.settings import Settings
from ingestion.sources import SOURCES

app = typer.Typer(
    help="Batch customer data platform: raw exports in, unified profiles and audience files out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=1)


def _parse_as_of(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of {value!r} is not an ISO date or timestamp (e.g. 2025-06-30T12:00:00Z)")
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
) -> None:
    """Writes realistic, messy demo exports into the landing folder (+ ground truth beside it)."""
    from ingestion.demo_data import generate_demo_data

    settings = Settings.from_env()
    with console.status(f"Generating demo exports for {people:,} people…"):
        summary = generate_demo_data(
            settings.landing_dir, settings.truth_dir, people=people, seed=seed,
            as_of=_parse_as_of(as_of), hard_cases=hard_cases,
        )  # fmt: skip
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


@app.command()
def run(
    as_of: Annotated[
        str | None, typer.Option(help="What 'now' means for recency rules (ISO); default: now.")
    ] = None,
    full_refresh: Annotated[bool, typer.Option(help="Rebuild incremental models.")] = False,
    demo_people: Annotated[
        int,
        typer.Option(help="People in the demo data generated when the landing folder is empty."),
    ] = 1000,
) -> None:
    """Runs the whole pipeline: ingest → identity → profiles → CRM marts → segments → exports."""
    from orchestration.runner import run_pipeline

    settings = Settings.from_env()
    if not _landing_has_files(settings):
        console.print(
            f"[yellow]No exports found in {settings.landing_dir}: generating demo data "
            f"({demo_people:,} people) first.[/yellow]"
        )
        demo_data(people=demo_people, seed=42, as_of=as_of, hard_cases=False)
    as_of_moment = _parse_as_of(as_of)
    ok = run_pipeline(settings, console, as_of=as_of_moment, full_refresh=full_refresh)
    raise typer.Exit(code=0 if ok else 1)


@app.command()
def profile(
    identifier: Annotated[str, typer.Argument(help="An email address, phone number or person id.")],
) -> None:
    """Prints one person's unified profile and all their identifiers."""
    from orchestration.lookup import print_profile

    print_profile(Settings.from_env(), identifier, console)


@app.command()
def explain(
    identifier: Annotated[str, typer.Argument(help="An email address, phone number or person id.")],
) -> None:
    """Shows why a person is one person: identifiers, linking records, refused links, merges."""
    from orchestration.explain import print_explanation

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
        str(Path(sys.executable).with_name("dagster")), "dev",
        "-m", "orchestration.definitions", "-h", host, "-p", str(port),
    ]  # fmt: skip
    console.print(f"Dagster UI on http://{host}:{port} (Ctrl-C to stop)")
    raise typer.Exit(subprocess.call(command))


@app.command()
def forget(
    identifier: Annotated[str, typer.Argument(help="The person's email address or phone number.")],
) -> None:
    """Erases a person (raw rows, marts, export state), keeps a hashed tombstone, lists deletions."""
    from orchestration.forget import forget as forget_person

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


def main() -> None:
    """Entry point: user errors are printed as one clear line, never as a traceback."""
    try:
        app()
    except CdpError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(1)


if __name__ == "__main__":
    main()
