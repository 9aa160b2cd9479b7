"""Consoles for the CLI: rich on a terminal, plain text anywhere else.

A console bound to a pipe or a file gets no colours, no live displays and a width wide enough
that tables are never cut or wrapped at 80 columns (rich's default when it finds no terminal).
rich itself honours NO_COLOR (no colours) and FORCE_COLOR."""

from __future__ import annotations

import re
import sys
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table

PLAIN_WIDTH = 10_000
"""Width of a console that is not a terminal: wide enough that no line is ever wrapped."""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def make_console(stream: TextIO | None = None) -> Console:
    """A console on `stream` (default: stdout, bound now, so output redirected later, such as
    dbt's lines during a run, does not end up in it)."""
    stream = stream or sys.stdout
    console = Console(file=stream)
    if console.is_terminal:
        return console
    return plain_console(stream)


def plain_console(stream: TextIO) -> Console:
    """A plain-text console (pipes, files, the run's log file)."""
    return Console(file=stream, width=PLAIN_WIDTH, color_system=None, highlight=False)


def strip_ansi(text: str) -> str:
    """`text` without terminal escape sequences (dbt colours its status words)."""
    return _ANSI.sub("", text)


def compact_table(title: str, *columns: str, right: tuple[str, ...] = ()) -> Table:
    """A table with a title, a header line and one line per row: no frame around it."""
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    return table
