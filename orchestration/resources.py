"""Resources shared by every asset: the DuckDB warehouse, held by one run at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from cdp.core.settings import Settings
from cdp.core.warehouse import connect, writer_lock


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. A run holds its writer lock from start to end, so a second
    concurrent run stops at once with a clear message instead of colliding with this one."""

    path: str
    lock_wait_seconds: float = 0

    @property
    def file(self) -> Path:
        return Path(self.path)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        with writer_lock(self.file, self.lock_wait_seconds):
            yield self

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection: closed before dbt's own process opens the file."""
        conn = connect(self.file)
        try:
            yield conn
        finally:
            conn.close()


def warehouse_from_settings(settings: Settings) -> WarehouseResource:
    return WarehouseResource(path=str(settings.warehouse))
