"""Opening the DuckDB warehouse safely: one writer at a time, with a clear message otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from ingestion.errors import CdpError

# Warehouses whose writer lock this process holds, with how many holders nest inside it.
_held_here: dict[Path, int] = {}


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextmanager
def writer_lock(warehouse: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Holds the warehouse's writer lock for a whole run (ingestion, dbt and exports).

    DuckDB allows one writing process per file; taking our own lock first turns a second
    concurrent run into a clear message instead of a failure halfway through.
    """
    key = warehouse.resolve()
    if key in _held_here:  # re-entrant: the CLI holds it around a run whose resources take it too
        _held_here[key] += 1
        try:
            yield
        finally:
            _held_here[key] -= 1
        return
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(warehouse)))
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise CdpError(
            f"Another run is writing to the warehouse {warehouse} (lock file "
            f"{lock_path(warehouse)} is held). Wait for it to finish, then run again."
        ) from None
    _held_here[key] = 1
    try:
        yield
    finally:
        del _held_here[key]
        lock.release()


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Opens the warehouse file, translating DuckDB's lock conflict into a CdpError."""
    if read_only and not warehouse.exists():
        raise CdpError(f"No warehouse at {warehouse} yet: run `cdp run` first.")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(warehouse), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise CdpError(
                f"The warehouse {warehouse} is open for writing by another process "
                f"(a run, the Dagster UI materialising, or a SQL client). Close it and retry."
            ) from None
        raise
