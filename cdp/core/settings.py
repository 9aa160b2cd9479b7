"""Configuration in one place: every `CDP_*` setting, its default and its path resolution.

The CLI reads them from the environment (`Settings.from_env`); the Dagster definitions give the
same values to the assets as a resource (orchestration/resources.py: CdpSettingsResource)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where exports land, where the warehouse lives and where audience files go."""

    landing_dir: Path
    warehouse: Path
    exports_dir: Path
    truth_dir: Path
    default_phone_region: str
    dbt_target: str
    suppression_file: Path | None = None
    """CSV of emails / phones that no marketing export may contain (CDP_SUPPRESSION_FILE)."""
    webhook_url: str | None = None
    """Where the `webhook` export destination POSTs its batches (CDP_WEBHOOK_URL)."""
    webhook_batch_size: int = 500
    """Records per webhook POST (CDP_WEBHOOK_BATCH_SIZE)."""
    parquet_dir: Path = Path("warehouse/parquet")
    """Parquet mirror of the raw tables, read by the Spark target (CDP_PARQUET_DIR)."""
    spark_dir: Path = Path("warehouse/spark")
    """Local Spark session's tables and metastore, for the Spark target (CDP_SPARK_DIR)."""
    match_model: Path | None = None
    """The probabilistic matching model (CDP_MATCH_MODEL); None = the one shipped in
    cdp/matching/model.json."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        landing = Path(env.get("CDP_LANDING_DIR", "data/landing")).resolve()
        warehouse = Path(env.get("CDP_WAREHOUSE", "warehouse/cdp.duckdb")).resolve()
        return cls(
            landing_dir=landing,
            warehouse=warehouse,
            exports_dir=Path(env.get("CDP_EXPORTS_DIR", "exports_out")).resolve(),
            # Ground truth of generated demo data sits beside, never inside, the landing folder.
            truth_dir=Path(
                env.get("CDP_TRUTH_DIR", str(landing.parent / "ground_truth"))
            ).resolve(),
            default_phone_region=env.get("CDP_DEFAULT_PHONE_REGION", "US").upper(),
            dbt_target=env.get("CDP_DBT_TARGET", "duckdb"),
            suppression_file=(
                Path(env["CDP_SUPPRESSION_FILE"]).resolve()
                if env.get("CDP_SUPPRESSION_FILE")
                else None
            ),
            webhook_url=env.get("CDP_WEBHOOK_URL") or None,
            webhook_batch_size=int(env.get("CDP_WEBHOOK_BATCH_SIZE", "500")),
            parquet_dir=Path(
                env.get("CDP_PARQUET_DIR", str(warehouse.parent / "parquet"))
            ).resolve(),
            spark_dir=Path(env.get("CDP_SPARK_DIR", str(warehouse.parent / "spark"))).resolve(),
            match_model=(
                Path(env["CDP_MATCH_MODEL"]).resolve() if env.get("CDP_MATCH_MODEL") else None
            ),
        )
