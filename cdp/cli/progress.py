"""A Dagster logger that turns a run's events into short progress lines on the terminal."""

from __future__ import annotations

import logging
import time

import dagster as dg
from rich.console import Console


def _event(record: logging.LogRecord) -> dg.DagsterEvent | None:
    """The structured event Dagster's log manager attaches to a record it logs for one
    (`record.dagster_event`); None for plain messages, or if a Dagster version stops doing so
    (the lines then degrade to errors only)."""
    event = getattr(record, "dagster_event", None)
    return event if isinstance(event, dg.DagsterEvent) else None


class _ProgressHandler(logging.Handler):
    def __init__(self, console: Console) -> None:
        super().__init__(level=logging.DEBUG)
        self.console = console
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        event = _event(record)
        if event is None:
            if record.levelno >= logging.ERROR:
                self.console.print(f"[red]  ✗ {record.getMessage()}[/red]")
            return
        elapsed = f"{time.monotonic() - self.started:6.1f}s"
        kind = event.event_type
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            rows = materialization.metadata.get("dagster/row_count")
            suffix = f"  [dim]{rows.value:,} rows[/dim]" if rows is not None else ""
            asset = materialization.asset_key.to_user_string()
            self.console.print(f"[dim]{elapsed}[/dim] [green]✓[/green] {asset}{suffix}")
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                asset = evaluation.asset_key.to_user_string()
                if getattr(evaluation.severity, "value", "") == "WARN":
                    self.console.print(
                        f"[dim]{elapsed}[/dim] [yellow]⚠ check {evaluation.check_name} on "
                        f"{asset} warned[/yellow]"
                    )
                else:
                    self.console.print(
                        f"[dim]{elapsed}[/dim] [red]✗ check {evaluation.check_name} on "
                        f"{asset} failed[/red]"
                    )
        elif kind == dg.DagsterEventType.ASSET_OBSERVATION:
            self._dbt_node(elapsed, event.event_specific_data.asset_observation)
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            self.console.print(
                f"[dim]{elapsed}[/dim] [yellow]↷ {event.step_key} skipped: something it "
                "depends on was not built[/yellow]"
            )
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[-1] if error else "failed"
            self.console.print(f"[dim]{elapsed}[/dim] [red]✗ {event.step_key}: {message}[/red]")

    def _dbt_node(self, elapsed: str, observation) -> None:
        """A dbt node that did not pass (orchestration/defs/transform.py reports them)."""
        from orchestration.run_outcome import DBT_MESSAGE, DBT_NODE, DBT_STATUS

        status = observation.metadata.get(DBT_STATUS)
        if status is None:
            return
        status = status.value
        node = observation.metadata[DBT_NODE].value
        message = observation.metadata[DBT_MESSAGE].value
        asset = observation.asset_key.to_user_string()
        if status == "warn":
            self.console.print(f"[dim]{elapsed}[/dim] [yellow]⚠ dbt test {node} warned[/yellow]")
        elif status in ("skipped", "withheld"):
            self.console.print(
                f"[dim]{elapsed}[/dim] [yellow]↷ {asset} not built: {message}[/yellow]"
            )
        else:
            self.console.print(f"[dim]{elapsed}[/dim] [red]✗ dbt {node}: {message}[/red]")


def progress_logger(console: Console) -> dg.LoggerDefinition:
    @dg.logger(description="Progress lines for the cdp CLI.")
    def cdp_progress(_context: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.getLogger("cdp.progress")
        logger.handlers = [_ProgressHandler(console)]
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        return logger

    return cdp_progress
