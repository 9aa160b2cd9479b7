"""Progress of a `cdp run`: one bar per stage of the job on a terminal, one line per finished
stage elsewhere, and every Dagster log line (and dbt's) in the run's log file.

A stage is a group of the job's Dagster steps (cdp_daily, orchestration/defs/automation.py):
the ingestion steps, each dbt step, matching, predictive, the exports. Its bar counts the assets
and checks its steps report, so a long dbt step moves as dbt finishes each model and test.
By default the terminal shows the bars, errors and warnings; `--verbose` adds each asset as it
is built, the steps' own log lines and dbt's lines."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from cdp.cli.log_file import RunLogFile

STAGE_NAMES = {"raw": "ingestion", "identity": "matching"}
"""Stage names of asset groups whose name is not already what the stage does."""
DBT_STAGE = "dbt "
"""Prefix of the stages that are dbt steps."""
LIVE_WARNINGS = 10
"""Warning lines shown while the run goes on; the rest are counted and left to the log."""


@dataclass
class Stage:
    """Steps of the job that make one stage, and what they did so far."""

    name: str
    is_dbt: bool = False
    """A dbt step: its warnings are dbt tests that warned, which the summary lists."""
    units: dict[str, int] = field(default_factory=dict)
    """Step key → the assets and checks the step reports (the bar's length)."""
    seen: dict[str, int] = field(default_factory=dict)
    ended: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    assets: int = 0
    """Assets materialised."""
    rows: int = 0
    """Rows the materialised assets report (dagster/row_count), where they report any."""
    started_at: float | None = None
    finished_at: float | None = None

    @property
    def total(self) -> int:
        return sum(self.units.values())

    @property
    def done(self) -> int:
        return sum(
            units if step in self.ended else min(self.seen.get(step, 0), units)
            for step, units in self.units.items()
        )

    @property
    def finished(self) -> bool:
        return self.ended >= set(self.units)

    @property
    def status(self) -> str:
        if self.failed:
            return "failed"
        if self.skipped:
            return "skipped" if self.skipped >= set(self.units) else "partly skipped"
        return "done" if self.finished else "not finished"

    @property
    def seconds(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at

    def detail(self) -> str:
        parts = [f"{self.assets:,} asset{'s' if self.assets != 1 else ''}"]
        if self.rows:
            parts.append(f"{self.rows:,} rows")
        if self.failed:
            parts.append(f"{len(self.failed)} step(s) failed")
        if self.skipped:
            parts.append(f"{len(self.skipped)} step(s) skipped")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.name,
            "status": self.status,
            "steps": len(self.units),
            "assets": self.assets,
            "rows": self.rows,
            "seconds": round(self.seconds, 1),
            "failed_steps": sorted(self.failed),
            "skipped_steps": sorted(self.skipped),
        }


def plan_stages(job: dg.JobDefinition) -> list[Stage]:
    """The job's stages in the order their first step runs."""
    graph = job.asset_layer.asset_graph
    by_step: dict[str, tuple[str, int]] = {}
    for assets_def in graph.assets_defs:
        if assets_def.is_executable:
            units = len(assets_def.keys) + len(assets_def.check_keys)
            by_step[assets_def.node_def.name] = (_stage_name(assets_def, graph), units)
    stages: dict[str, Stage] = {}
    for node in job.nodes_in_topological_order:
        if node.name in by_step:
            name, units = by_step[node.name]
            stage = stages.setdefault(name, Stage(name, is_dbt=name.startswith(DBT_STAGE)))
            stage.units[node.name] = units
    return list(stages.values())


def _stage_name(assets_def: dg.AssetsDefinition, graph: Any) -> str:
    """dbt steps are stages of their own (named after the step); other steps by asset group."""
    if any("dbt" in spec.kinds for spec in assets_def.specs):
        return DBT_STAGE + assets_def.node_def.name.removeprefix("cdp_dbt_").replace("_", " ")
    groups = [assets_def.group_names_by_key[key] for key in assets_def.keys] or [
        graph.get(check.asset_key).group_name for check in assets_def.check_keys
    ]
    return STAGE_NAMES.get(groups[0], groups[0])


def _event(record: logging.LogRecord) -> dg.DagsterEvent | None:
    """The structured event Dagster's log manager attaches to a record it logs for one
    (`record.dagster_event`); None for plain messages."""
    event = getattr(record, "dagster_event", None)
    return event if isinstance(event, dg.DagsterEvent) else None


def _message(record: logging.LogRecord) -> tuple[str, str]:
    """(step key, the step's own message) of a plain Dagster log record."""
    meta = getattr(record, "dagster_meta", None) or {}
    return meta.get("step_key") or "", meta.get("orig_message") or record.getMessage()


class RunProgress:
    """Shows a run's progress on `console` and writes all of it to the run's log file.

    Use as a context manager around the run: on a terminal it holds rich's live bars."""

    def __init__(
        self, console: Console, log: RunLogFile, stages: list[Stage], verbose: bool = False
    ) -> None:
        self.console = console
        self.log = log
        self.stages = stages
        self.verbose = verbose
        self.step_warnings: list[str] = []
        """Warnings the steps logged (quarantined records, a skipped export, …)."""
        self.warnings_held = 0
        self._warnings_shown = 0
        self._stage_of = {step: stage for stage in stages for step in stage.units}
        self._started = time.monotonic()
        self._bars: Progress | None = None
        self._tasks: dict[str, Any] = {}
        if console.is_terminal:
            self._bars = Progress(
                TextColumn("{task.fields[mark]} {task.description:<22}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("[dim]{task.fields[detail]}"),
                console=console,
                redirect_stdout=False,
                redirect_stderr=False,
                refresh_per_second=4,
            )
            for stage in stages:
                self._tasks[stage.name] = self._bars.add_task(
                    stage.name, total=stage.total, start=False, mark=" ", detail=""
                )

    def __enter__(self) -> RunProgress:
        if self._bars is not None:
            self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bars is not None:
            self._bars.stop()

    # What reaches the run: dbt's lines (through sys.stdout) and Dagster's log records.

    def output_line(self, line: str) -> None:
        """A line the run wrote to stdout (dbt's): to the log; to the console if verbose."""
        self.log.line(line)
        if self.verbose:
            self.console.print(Text.from_ansi(line))

    def handle(self, record: logging.LogRecord) -> None:
        self.log.line(
            f"{time.strftime('%H:%M:%S', time.localtime(record.created))} "
            f"{record.levelname:<7} {record.getMessage()}"
        )
        event = _event(record)
        if event is None:
            self._plain(record)
        else:
            self._dagster_event(event)

    def _plain(self, record: logging.LogRecord) -> None:
        step, message = _message(record)
        where = f"{step}: " if step else ""
        if record.levelno >= logging.ERROR:
            self.console.print(f"[red]✗ {escape(where + message)}[/red]")
        elif record.levelno >= logging.WARNING:
            stage = self._stage_of.get(step)
            # dbt steps' warnings are dagster-dbt's notes on how it maps tests; the tests that
            # warned are in the summary (their own observations).
            if stage is not None and stage.is_dbt:
                if self.verbose:
                    self.console.print(f"[dim]  {escape(where + message)}[/dim]")
                return
            self._warning(where + message.strip().splitlines()[0])
        elif self.verbose and record.levelno >= logging.INFO:
            self.console.print(f"[dim]  {escape(where + message)}[/dim]")

    def _warning(self, message: str) -> None:
        self.step_warnings.append(message)
        if self.verbose or self._warnings_shown < LIVE_WARNINGS:
            self._warnings_shown += 1
            self.console.print(f"[yellow]⚠ {escape(message)}[/yellow]")
        else:
            self.warnings_held += 1

    def _elapsed(self) -> str:
        return f"[dim]{time.monotonic() - self._started:6.1f}s[/dim]"

    def _dagster_event(self, event: dg.DagsterEvent) -> None:
        kind = event.event_type
        stage = self._stage_of.get(event.step_key or "")
        if stage is None:
            return
        step = event.step_key or ""
        if kind == dg.DagsterEventType.STEP_START:
            if stage.started_at is None:
                stage.started_at = time.monotonic()
                if self._bars is not None:
                    self._bars.start_task(self._tasks[stage.name])
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            stage.seen[step] = stage.seen.get(step, 0) + 1
            materialization = event.event_specific_data.materialization
            rows = materialization.metadata.get("dagster/row_count")
            stage.assets += 1
            stage.rows += rows.value if rows is not None else 0
            if self.verbose:
                suffix = f"  [dim]{rows.value:,} rows[/dim]" if rows is not None else ""
                asset = escape(materialization.asset_key.to_user_string())
                self.console.print(f"{self._elapsed()} [green]✓[/green] {asset}{suffix}")
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            stage.seen[step] = stage.seen.get(step, 0) + 1
            if self.verbose:
                self._check(event.event_specific_data)
        elif kind == dg.DagsterEventType.ASSET_OBSERVATION:
            if self.verbose:
                self._dbt_node(event.event_specific_data.asset_observation)
        elif kind in (
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
            dg.DagsterEventType.STEP_SKIPPED,
        ):
            self._step_ended(stage, step, event)
        self._refresh(stage)

    def _step_ended(self, stage: Stage, step: str, event: dg.DagsterEvent) -> None:
        stage.ended.add(step)
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            stage.failed.add(step)
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[-1] if error else "failed"
            self.console.print(f"[red]✗ step {escape(step)} failed: {escape(message)}[/red]")
        elif event.event_type == dg.DagsterEventType.STEP_SKIPPED:
            stage.skipped.add(step)
            if self.verbose:
                self.console.print(
                    f"{self._elapsed()} [yellow]↷ {escape(step)} skipped: something it "
                    "depends on was not built[/yellow]"
                )
        if stage.finished and stage.finished_at is None:
            stage.finished_at = time.monotonic()
            if stage.started_at is None:  # every step skipped
                stage.started_at = stage.finished_at
            self.log.line(f"stage {stage_line(stage)}")
            if self._bars is None:
                self.console.print(stage_line(stage), markup=False)

    def _refresh(self, stage: Stage) -> None:
        if self._bars is None:
            return
        mark = ""
        if stage.finished:
            mark = {"done": "[green]✓[/green]", "failed": "[red]✗[/red]"}.get(
                stage.status, "[yellow]↷[/yellow]"
            )
        task = self._tasks[stage.name]
        self._bars.update(task, completed=stage.done, mark=mark or " ", detail=stage.detail())
        if stage.finished:
            self._bars.stop_task(task)

    def _check(self, evaluation: Any) -> None:
        if evaluation.passed:
            return
        asset = escape(evaluation.asset_key.to_user_string())
        name = escape(evaluation.check_name)
        if getattr(evaluation.severity, "value", "") == "WARN":
            self.console.print(f"{self._elapsed()} [yellow]⚠ check {name} on {asset} warned[/]")
        else:
            self.console.print(f"{self._elapsed()} [red]✗ check {name} on {asset} failed[/]")

    def _dbt_node(self, observation: Any) -> None:
        """A dbt node that did not pass (orchestration/defs/transform.py reports them)."""
        from orchestration.run_outcome import DBT_MESSAGE, DBT_NODE, DBT_STATUS

        status = observation.metadata.get(DBT_STATUS)
        if status is None:
            return
        status = status.value
        node = escape(str(observation.metadata[DBT_NODE].value))
        message = escape(str(observation.metadata[DBT_MESSAGE].value))
        asset = escape(observation.asset_key.to_user_string())
        if status == "warn":
            self.console.print(f"{self._elapsed()} [yellow]⚠ dbt test {node} warned[/yellow]")
        elif status in ("skipped", "withheld"):
            self.console.print(f"{self._elapsed()} [yellow]↷ {asset} not built: {message}[/]")
        else:
            self.console.print(f"{self._elapsed()} [red]✗ dbt {node}: {message}[/red]")


def stage_line(stage: Stage) -> str:
    """One plain line for a finished stage, e.g. `✓ ingestion: 15 steps, 14 assets, …`."""
    mark = {"done": "✓", "failed": "✗"}.get(stage.status, "↷")
    steps = f"{len(stage.units)} step{'s' if len(stage.units) != 1 else ''}"
    return f"{mark} {stage.name}: {steps}, {stage.detail()} in {stage.seconds:.1f}s"


def progress_logger(progress: RunProgress) -> dg.LoggerDefinition:
    @dg.logger(description="Progress of the cdp CLI, and the run's log file.")
    def cdp_progress(_context: dg.InitLoggerContext) -> logging.Logger:
        logger = logging.getLogger("cdp.progress")
        logger.handlers = [_Handler(progress)]
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        return logger

    return cdp_progress


class _Handler(logging.Handler):
    def __init__(self, progress: RunProgress) -> None:
        super().__init__(level=logging.DEBUG)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        self.progress.handle(record)
