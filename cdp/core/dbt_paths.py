"""Where the dbt project and the manifest `dbt parse` writes live: plain paths, so code outside
the Dagster wiring (erasure, exports) can read the project without importing dbt or Dagster."""

from __future__ import annotations

from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DBT_MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
