"""The dbt project as Dagster sees it, and the one place that prepares its manifest."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from ingestion.errors import CdpError
from ingestion.settings import Settings

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_environment(settings: Settings) -> dict[str, str]:
    """Absolute paths for the dbt subprocess, which runs from the dbt project folder."""
    return {
        "CDP_WAREHOUSE": str(settings.warehouse),
        "CDP_DBT_TARGET": settings.dbt_target,
        "CDP_DEFAULT_PHONE_REGION": settings.default_phone_region,
        # Read by the Spark target only (profiles.yml, macros/spark/register_raw_tables.sql).
        "CDP_PARQUET_DIR": str(settings.parquet_dir),
        "CDP_SPARK_DIR": str(settings.spark_dir),
    }


def prepare_manifest(settings: Settings | None = None) -> Path:
    """Runs `dbt parse` so the asset graph can be built; done before loading the definitions."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(settings or Settings.from_env()))
    result = dbtRunner().invoke(
        [
            "parse",
            "--project-dir", str(DBT_PROJECT_DIR),
            "--profiles-dir", str(DBT_PROJECT_DIR),
            "--quiet",
        ]
    )  # fmt: skip
    if not result.success:
        raise CdpError(f"dbt could not parse the project in {DBT_PROJECT_DIR}: {result.exception}")
    return dbt_project.manifest_path
