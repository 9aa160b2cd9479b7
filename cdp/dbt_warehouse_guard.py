"""A dbt-duckdb plugin for dbt run by hand on a machine where no `cdp run` made a warehouse yet.

DuckDB creates a missing database file but not its folder, so before the first run a plain
`dbt` command from dbt_project/ fails with a bare "IO Error: Cannot open file" and a traceback.
The profile's duckdb output loads this plugin (profiles.yml: `plugins`), which then:

- lets `dbt docs generate` work: it documents against an empty throwaway database named like
  the warehouse (the docs show every model and column description; the catalog has no tables);
- stops every other command with one line saying where the warehouse was expected and how to
  make it (`cdp run`), or where to point dbt instead (CDP_WAREHOUSE).

A warehouse whose folder exists is left to DuckDB as before (it creates a missing file there).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.exceptions import DbtRuntimeError
from dbt.flags import get_flags
from dbt_common.events.functions import fire_event
from dbt_common.events.types import Note


class Plugin(BasePlugin):
    """dbt-duckdb finds a plugin by this class name in the module the profile names."""

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Called by dbt-duckdb just before it opens `creds.path`."""
        path = str(creds.path)
        if ":" in path.split("/")[0]:
            return  # :memory:, MotherDuck (md:…), a URL or a drive letter: left to DuckDB
        warehouse = Path(path)
        if warehouse.parent.is_dir():
            return
        if getattr(get_flags(), "WHICH", None) == "generate":
            # Same file name, so the database name dbt derived from the path still matches.
            scratch = tempfile.mkdtemp(prefix="cdp-dbt-docs-")
            atexit.register(shutil.rmtree, scratch, ignore_errors=True)
            creds.path = str(Path(scratch) / warehouse.name)
            fire_event(
                Note(
                    msg=f"No warehouse at {warehouse.resolve()} yet: documenting against an "
                    "empty database (model and column descriptions, no catalog of tables). "
                    "Run `cdp run` first for the full catalog."
                )
            )
            return
        raise DbtRuntimeError(
            f"No warehouse at {warehouse.resolve()}: its folder does not exist. `cdp run` (or "
            "`make run` for the demo) creates it and loads the raw tables dbt reads; to use "
            "another warehouse, set CDP_WAREHOUSE to its path."
        )
