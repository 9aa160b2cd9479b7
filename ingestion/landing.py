"""The landing folder as it is now, against the manifest's memory of it.

A run judges the files the landing folder holds now: a file rejected by an earlier run and
since removed (or fixed and loaded) is history, shown by `cdp status`, never a reason for a
later run to fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from ingestion.recognition import recognised_as
from ingestion.sources import SOURCES

Row = TypeVar("Row", bound=Sequence)


def still_in_landing(landing_dir: Path, source_table: str, file_path: str) -> bool:
    """True when the manifest's file (path relative to the landing folder) is still there and
    still belongs to that source."""
    path = landing_dir / file_path
    spec = SOURCES.get(source_table)
    if not path.is_file():
        return False
    if spec is None or spec.matches(path):
        return True
    found = recognised_as(path, landing_dir)  # a file taken for its header, not its name
    return found is not None and found.table == (spec.parent or spec.table)


def split_rejections(rows: Sequence[Row], landing_dir: Path) -> tuple[list[Row], list[Row]]:
    """Rejected manifest rows `(source table, file, …)` as (still in the landing folder,
    removed since)."""
    present: list[Row] = []
    removed: list[Row] = []
    for row in rows:
        (present if still_in_landing(landing_dir, row[0], row[1]) else removed).append(row)
    return present, removed


def drop_removed_rejections(files: Sequence[Row], landing_dir: Path) -> list[Row]:
    """A run's file rows `(source table, file, status, …)` without the rejections of files
    that are no longer in the landing folder."""
    return [
        row
        for row in files
        if row[2] != "rejected" or still_in_landing(landing_dir, row[0], row[1])
    ]
