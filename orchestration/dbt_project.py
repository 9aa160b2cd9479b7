"""The dbt project as Dagster sees it, and the one place that prepares its manifest."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from dagster_dbt import DbtProject

from cdp.core.dbt_paths import DBT_PROJECT_DIR
from cdp.core.errors import CdpError
from cdp.core.settings import Settings


def _dbt_executable() -> str:
    """This virtualenv's `cdp-dbt` (dbt that never outlives the run: cdp/dbt_child.py),
    whether or not the venv is activated; plain `dbt` in a venv installed before it existed
    (`make install` adds it)."""
    wrapper = Path(sys.executable).with_name("cdp-dbt")
    return str(wrapper if wrapper.exists() else Path(sys.executable).with_name("dbt"))


DBT_EXECUTABLE = _dbt_executable()

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
PARTIAL_PARSE = "partial_parse.msgpack"


# dagster-dbt gives every dbt invocation its own target folder, `<op>-<run id[:7]>-<uuid[:7]>`
# (or `<uuid[:7]>` outside a run), ~20 MB each (artifacts, compiled SQL, a debug log).
_INVOCATION_FOLDER = re.compile(r"^(?:(?P<op>\w+)-(?P<run>[0-9a-f]{7})-)?[0-9a-f]{7}$")
KEEP_DBT_TARGET_RUNS = 2
"""Runs whose dbt target folders are kept, besides the one starting (to read a failure)."""


def prune_dbt_targets(keep_runs: int = KEEP_DBT_TARGET_RUNS) -> list[Path]:
    """Deletes the target folders of all but the latest `keep_runs` runs; returns them.

    Only folders named the way dagster-dbt names them are touched (never the project's own
    `manifest.json` or `partial_parse.msgpack` beside them). A run's folders go together.
    """
    target = DBT_PROJECT_DIR / "target"
    if not target.is_dir():
        return []
    runs: dict[str, list[Path]] = {}
    for folder in target.iterdir():
        found = _INVOCATION_FOLDER.match(folder.name)
        if found and folder.is_dir():
            runs.setdefault(found["run"] or folder.name, []).append(folder)
    latest = sorted(runs.values(), key=lambda fs: max(f.stat().st_mtime for f in fs), reverse=True)
    removed = [folder for folders in latest[keep_runs:] for folder in folders]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def run_vars(settings: Settings, as_of: str = "") -> str:
    """The `--vars` of every dbt invocation of a run: the settings dbt needs, as absolute paths
    (dbt runs from the dbt project folder; profiles.yml and the macros read them with `var()`,
    falling back to the environment for a plain `dbt` command), and the run's `as_of`.

    Parse and builds must pass the same vars: dbt re-parses the whole project when they differ
    instead of using its partial parse. So `prepare_manifest` and both dbt steps
    (orchestration/defs/transform.py: run_dbt_step) build them here, from the same settings."""
    return json.dumps(
        {
            "as_of": as_of,
            "cdp_warehouse": str(settings.warehouse),
            "cdp_dbt_target": settings.dbt_target,
            "default_phone_region": settings.default_phone_region,
            # Read by the Spark target only (profiles.yml, macros/spark/register_raw_tables.sql).
            "cdp_parquet_dir": str(settings.parquet_dir),
            "cdp_spark_dir": str(settings.spark_dir),
        },
        sort_keys=True,
    )


def prepare_manifest(settings: Settings | None = None, as_of: str = "") -> Path:
    """Runs `dbt parse` so the asset graph can be built; done before loading the definitions,
    with the vars the run's dbt builds will use (`run_vars`). Old runs' dbt target folders are
    pruned first (`prune_dbt_targets`).

    dbt writes its artifacts into a private folder beside them, starting from the current
    partial parse; the new `manifest.json` and `partial_parse.msgpack` then replace the
    project's at once (`os.replace`), so a process reading them meanwhile (another `cdp` command,
    the UI, a test run alongside) never sees a file half written."""
    from dbt.cli.main import dbtRunner

    prune_dbt_targets()

    target = DBT_PROJECT_DIR / "target"
    target.mkdir(parents=True, exist_ok=True)
    # One dash in the name: neither a dagster-dbt invocation folder nor pruned as one.
    private = Path(tempfile.mkdtemp(prefix=".parse-", dir=target))
    try:
        if (target / PARTIAL_PARSE).exists():
            shutil.copy2(target / PARTIAL_PARSE, private / PARTIAL_PARSE)
        result = dbtRunner().invoke(
            [
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(private),
                "--vars",
                run_vars(settings or Settings.from_env(), as_of),
                "--quiet",
            ]
        )
        if not result.success:
            raise CdpError(
                f"dbt could not parse the project in {DBT_PROJECT_DIR}: {result.exception}"
            )
        for name in (PARTIAL_PARSE, "manifest.json"):  # the manifest last: readers look for it
            if (private / name).exists():
                os.replace(private / name, target / name)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return dbt_project.manifest_path
