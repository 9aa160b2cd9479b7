"""`cdp match`: the probabilistic matching model — re-estimate it, draw its charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cdp.cli.console import make_console
from cdp.core.errors import CdpError
from cdp.core.settings import Settings
from cdp.core.warehouse import connect, require_warehouse

match_app = typer.Typer(
    help="The probabilistic matching model (Splink): re-estimate it, draw its charts.",
    no_args_is_help=True,
)
console = make_console()


@match_app.command("train")
def train(
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the model [default: the model in use]."),
    ] = None,
) -> None:
    """Re-estimates the model (EM, no labels) on the warehouse's person-like records."""
    from cdp.matching.model import model_path, save_model
    from cdp.matching.records import read_records
    from cdp.matching.training import train as estimate

    settings = Settings.from_env()
    require_warehouse(settings.warehouse)
    conn = connect(settings.warehouse, read_only=True)
    try:
        records = read_records(conn)
    except Exception as error:  # the table is built by `cdp run`
        raise CdpError(
            f"{settings.warehouse}: no person-like records to train on; run `cdp run` first "
            f"({str(error).splitlines()[0]})"
        ) from None
    finally:
        conn.close()
    target = (out or model_path(settings)).resolve()
    with console.status(f"Estimating the model on {records.num_rows:,} records…"):
        try:
            model = estimate(records)
        except ValueError as error:
            raise CdpError(str(error)) from None
    save_model(model, target, records.num_rows, trained_on=str(settings.warehouse))
    console.print(
        f"Wrote {target} ({records.num_rows:,} records). Review it (`cdp match charts`), "
        "commit it, and the next `cdp run` scores with it."
    )


@match_app.command("charts")
def charts(
    out: Annotated[Path, typer.Option(help="Folder for the HTML charts.")] = Path(
        "docs/identity_model"
    ),
) -> None:
    """Writes Splink's charts of the model in use (match weights, m and u) as offline HTML."""
    from cdp.matching.charts import write_charts
    from cdp.matching.model import model_path

    for path in write_charts(model_path(Settings.from_env()), out):
        console.print(f"Wrote {path}")
