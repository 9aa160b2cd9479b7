"""Opening the DuckDB warehouse safely: one writer at a time, with a clear message otherwise.

Every way opening can fail for a reason the user can fix (another writer, a file that is not
a DuckDB database, a read-only disk, a lock file that cannot be created, no warehouse where a
command that only reads or erases expects one) becomes a `CdpError`: one line, no traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from cdp.core.errors import CdpError

# Warehouses whose writer lock this process holds, with how many holders nest inside it.
_held_here: dict[Path, int] = {}


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def require_warehouse(warehouse: Path) -> None:
    """For commands that only read or erase: a missing warehouse is an error, never created."""
    if warehouse.is_dir():
        raise CdpError(f"{warehouse} is a folder, not a warehouse file: check CDP_WAREHOUSE.")
    if not warehouse.exists():
        raise CdpError(
            f"No warehouse at {warehouse}: check CDP_WAREHOUSE, or run `cdp run` first to build "
            "one."
        )


def _os_problem(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


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
    lock = FileLock(str(lock_path(warehouse)))
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise CdpError(
            f"Another run is writing to the warehouse {warehouse} (lock file "
            f"{lock_path(warehouse)} is held). Wait for it to finish, then run again."
        ) from None
    except OSError as exc:
        raise CdpError(
            f"Cannot create the lock file {lock_path(warehouse)} beside the warehouse "
            f"({_os_problem(exc)}): the warehouse folder must be writable."
        ) from None
    _held_here[key] = 1
    try:
        yield
    finally:
        del _held_here[key]
        lock.release()


def _open_error(warehouse: Path, exc: duckdb.Error, read_only: bool) -> CdpError:
    """DuckDB's reasons for not opening a file, as one line a user can act on."""
    text = str(exc)
    lowered = text.lower()
    if "not a valid duckdb database file" in lowered:
        return CdpError(
            f"{warehouse} is not a DuckDB database file: check CDP_WAREHOUSE "
            "(a warehouse is the .duckdb file `cdp run` writes)."
        )
    if "read-only file system" in lowered:
        return CdpError(f"Cannot write to the warehouse {warehouse}: the disk is read-only.")
    if "permission denied" in lowered:
        mode = "read" if read_only else "write to"
        return CdpError(f"Cannot {mode} the warehouse {warehouse}: permission denied.")
    if "lock" in lowered:
        return CdpError(
            f"The warehouse {warehouse} is open for writing by another process "
            f"(a run, the Dagster UI materialising, or a SQL client). Close it and retry."
        )
    first = next((line for line in text.splitlines() if line.strip()), text)
    return CdpError(f"Cannot open the warehouse {warehouse}: {first}")


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Opens the warehouse file; every reason it cannot be opened becomes a CdpError."""
    if read_only:
        require_warehouse(warehouse)
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CdpError(
            f"Cannot create the warehouse folder {warehouse.parent}: {_os_problem(exc)}."
        ) from None
    try:
        return duckdb.connect(str(warehouse), read_only=read_only)
    except duckdb.Error as exc:
        raise _open_error(warehouse, exc, read_only) from None


def check_writable(warehouse: Path) -> None:
    """Fails fast, before a run starts anything, when the warehouse cannot be written."""
    connect(warehouse).close()


def table_names(conn: duckdb.DuckDBPyConnection) -> set[str]:
    """Every table and view of the warehouse as `schema.name`: what a reader may query."""
    rows = conn.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {row[0] for row in rows}


def create_table_if_missing(conn: duckdb.DuckDBPyConnection, table: str, columns: str) -> None:
    """Creates `schema.table`, and its schema, on first use: for the tables the app keeps itself
    (manifest, quarantine, validation results, export run log and sync state), not dbt's."""
    schema = table.split(".", 1)[0]
    conn.execute(f"create schema if not exists {schema}")
    conn.execute(f"create table if not exists {table} ({columns})")
