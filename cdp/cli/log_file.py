"""The log file of a `cdp run`: every line of the run, kept whatever the terminal showed.

dbt's own lines, every Dagster log line of every step and the full summary (every file) go to
`<warehouse folder>/logs/run-<UTC timestamp>.log`; the summary prints its path. The folder
keeps the latest `KEEP_LOGS` logs, as the Dagster history keeps its latest runs."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from rich.console import Console

from cdp.cli.console import plain_console, strip_ansi
from cdp.core.errors import CdpError
from orchestration.instance import KEEP_RUNS

KEEP_LOGS = KEEP_RUNS
"""Run logs kept beside the warehouse; older ones are deleted when a run starts."""


def log_dir(warehouse: Path) -> Path:
    return warehouse.parent / "logs"


class RunLogFile:
    """One run's log file, open for the whole run."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: TextIO = path.open("w", encoding="utf-8")
        self.console: Console = plain_console(self._handle)
        """Renders tables into the log as plain text."""

    def line(self, text: str) -> None:
        self._handle.write(strip_ansi(text).rstrip() + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def open_run_log(warehouse: Path, started: datetime, keep: int = KEEP_LOGS) -> RunLogFile:
    """Creates this run's log file (named by its UTC start) after deleting all but the newest
    `keep - 1` earlier ones."""
    folder = log_dir(warehouse)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        earlier = sorted(folder.glob("run-*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name))
        for old in earlier[: max(len(earlier) - (keep - 1), 0)]:
            old.unlink(missing_ok=True)
        stem = f"run-{started:%Y%m%dT%H%M%S}Z"
        path, n = folder / f"{stem}.log", 1
        while path.exists():  # two runs in one second
            n += 1
            path = folder / f"{stem}-{n}.log"
        return RunLogFile(path)
    except OSError as error:
        raise CdpError(f"Cannot write the run's log file in {folder}: {error}") from None


class LineSink(io.TextIOBase):
    """A stand-in for sys.stdout that hands each complete line to `on_line` (dagster-dbt
    writes dbt's lines to sys.stdout)."""

    def __init__(self, on_line: Callable[[str], None]) -> None:
        super().__init__()
        self._on_line = on_line
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._on_line(line)
        return len(text)

    def flush(self) -> None:
        pass

    def close_pending(self) -> None:
        """Hands over a last line that did not end with a newline."""
        if self._pending:
            self._on_line(self._pending)
            self._pending = ""
