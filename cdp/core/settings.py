"""Configuration in one place: every `CDP_*` setting, its default and its path resolution.

The CLI reads them from the environment (`Settings.from_env`); the Dagster definitions give the
same values to the assets as a resource (orchestration/resources.py: CdpSettingsResource).
`VARIABLES` and `DBT_PROFILE_VARIABLES` declare each variable once, with its default and
meaning: `Settings.from_env` takes the defaults from there and `cdp --help` lists them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Variable:
    """One `CDP_*` environment variable."""

    name: str
    default: str | None
    """Its value when unset; None when the default is derived or means "off" (`shown_default`)."""
    meaning: str
    shown_default: str = ""
    """How a default that is not a plain value reads."""

    @property
    def default_text(self) -> str:
        return self.shown_default or str(self.default)


VARIABLES: dict[str, Variable] = {
    "landing_dir": Variable(
        "CDP_LANDING_DIR", "data/landing", "where you drop exports: mailchimp/, shopify/, square/"
    ),
    "warehouse": Variable("CDP_WAREHOUSE", "warehouse/cdp.duckdb", "the DuckDB warehouse file"),
    "exports_dir": Variable(
        "CDP_EXPORTS_DIR", "exports_out", "where audience files go: <dir>/<destination>/<segment>/"
    ),
    "truth_dir": Variable(
        "CDP_TRUTH_DIR",
        None,
        "ground truth of generated demo data (for tests and benchmarks)",
        "ground_truth beside the landing folder",
    ),
    "default_phone_region": Variable(
        "CDP_DEFAULT_PHONE_REGION", "US", "region of phone numbers without a country code"
    ),
    "dbt_target": Variable(
        "CDP_DBT_TARGET", "duckdb", "dbt target the models build on: duckdb or spark"
    ),
    "suppression_file": Variable(
        "CDP_SUPPRESSION_FILE",
        None,
        "CSV of emails / phones no marketing export may contain",
        "none",
    ),
    "webhook_url": Variable(
        "CDP_WEBHOOK_URL",
        None,
        "where the webhook export destination POSTs its batches",
        "none: webhook exports are skipped",
    ),
    "webhook_batch_size": Variable("CDP_WEBHOOK_BATCH_SIZE", "500", "records per webhook POST"),
    "parquet_dir": Variable(
        "CDP_PARQUET_DIR",
        None,
        "Parquet mirror of the raw tables, read by the Spark target",
        "<warehouse folder>/parquet",
    ),
    "spark_dir": Variable(
        "CDP_SPARK_DIR",
        None,
        "the local Spark session's tables and metastore",
        "<warehouse folder>/spark",
    ),
    "match_model": Variable(
        "CDP_MATCH_MODEL",
        None,
        "the probabilistic matching model (Splink settings JSON)",
        "cdp/matching/model.json",
    ),
}
"""Each field of `Settings` and the variable that sets it."""

DBT_PROFILE_VARIABLES: tuple[Variable, ...] = (
    Variable(
        "CDP_DUCKDB_MEMORY_LIMIT",
        "80%",
        "memory DuckDB may use in dbt builds before it spills to disk, e.g. 3GB",
    ),
    Variable("CDP_SPARK_MASTER", "local[2]", "Spark master of the local session (spark target)"),
    Variable("CDP_SPARK_SHUFFLE_PARTITIONS", "2", "spark.sql.shuffle.partitions (spark target)"),
    Variable("CDP_SPARK_CODEGEN", "false", "Spark whole-stage code generation (spark target)"),
    Variable("CDP_SPARK_DRIVER_MEMORY", "1g", "Spark driver memory (spark target)"),
    Variable("CDP_SPARK_LOG_LEVEL", "ERROR", "Spark's log level (spark target)"),
)
"""Variables only dbt reads, in its profile (dbt_project/profiles.yml): runs pass them on."""


def _get(env: Mapping[str, str], field: str) -> str | None:
    variable = VARIABLES[field]
    return env.get(variable.name) or variable.default


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

        def path(field: str, derived: Path | None = None) -> Path | None:
            value = _get(env, field)
            return Path(value).resolve() if value else derived

        landing = path("landing_dir")
        warehouse = path("warehouse")
        return cls(
            landing_dir=landing,
            warehouse=warehouse,
            exports_dir=path("exports_dir"),
            # Ground truth of generated demo data sits beside, never inside, the landing folder.
            truth_dir=path("truth_dir", landing.parent / "ground_truth"),
            default_phone_region=_get(env, "default_phone_region").upper(),
            dbt_target=_get(env, "dbt_target"),
            suppression_file=path("suppression_file"),
            webhook_url=_get(env, "webhook_url"),
            webhook_batch_size=int(_get(env, "webhook_batch_size")),
            parquet_dir=path("parquet_dir", warehouse.parent / "parquet"),
            spark_dir=path("spark_dir", warehouse.parent / "spark"),
            match_model=path("match_model"),
        )
