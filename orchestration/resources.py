"""Resources shared by the assets: the app's settings, the run's dbt options, the DuckDB
warehouse (held by one run at a time) and dbt itself."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from cdp.core.settings import VARIABLES, Settings
from cdp.core.warehouse import connect, writer_lock
from cdp.dbt_child import PARENT_PID_ENV

SETTINGS_VARIABLES = {field: variable.name for field, variable in VARIABLES.items()}
"""Each field of `CdpSettingsResource` and the environment variable that sets it."""


class CdpSettingsResource(dg.ConfigurableResource):
    """The app's settings (cdp/core/settings.py) as Dagster config, one field per `CDP_*`
    variable. A field left unset takes the `Settings` default, resolved against the working
    folder when the run reads it, as the CLI does."""

    landing_dir: str | None = None
    warehouse: str | None = None
    exports_dir: str | None = None
    truth_dir: str | None = None
    default_phone_region: str | None = None
    dbt_target: str | None = None
    suppression_file: str | None = None
    webhook_url: str | None = None
    webhook_batch_size: int | None = None
    parquet_dir: str | None = None
    spark_dir: str | None = None
    match_model: str | None = None

    def settings(self) -> Settings:
        """The plain settings the library code takes, with the same defaults and path
        resolution as `Settings.from_env` (given these values, not the environment)."""
        given = {
            variable: str(value)
            for field, variable in SETTINGS_VARIABLES.items()
            if (value := getattr(self, field)) is not None
        }
        return Settings.from_env(given)


class DbtRunResource(dg.ConfigurableResource):
    """Options of the run's dbt builds, shared by both dbt steps (before and after the
    predictive asset): one `as_of` drives the whole run. Set per run in the run config's
    `resources.dbt_run.config` (`cdp run --as-of … --full-refresh` does)."""

    as_of: str = ""
    """Timestamp that 'now' means for recency rules (segments, RFM); empty = current time."""
    full_refresh: bool = False
    """Rebuild incremental models from scratch."""


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


class CdpDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, run through `cdp-dbt` (cdp/dbt_child.py), which refuses to
    start once the process that started it is gone. It learns that process from
    `PARENT_PID_ENV`: `DbtCliResource.cli()` builds dbt's environment from this process's
    (dagster-dbt 0.29 takes no `env` argument), so the run sets this one internal variable
    here, once, when the resource is set up in the process that starts dbt. Settings reach
    dbt as `--vars` (orchestration/dbt_project.py: run_vars), never through the environment."""

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        os.environ[PARENT_PID_ENV] = str(os.getpid())
