"""The dbt models as Dagster assets; dbt tests become asset checks."""

import json
import os

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from ingestion.settings import Settings
from orchestration.dbt_project import dbt_environment, dbt_project
from orchestration.defs.parquet_mirror import publish_spark_tables, sync_parquet_mirror
from orchestration.resources import WarehouseResource


class DbtRunConfig(dg.Config):
    """Options of a dbt build run from Dagster."""

    as_of: str = ""
    """Timestamp that 'now' means for recency rules (segments, RFM); empty = current time."""
    full_refresh: bool = False
    """Rebuild incremental models from scratch."""


translator = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

# Models that read the predictions a Python asset writes between two dbt steps: built by
# cdp_dbt_prediction_models (orchestration/defs/predictive.py), after that asset.
PREDICTION_CONSUMERS = "source:predictive+"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=PREDICTION_CONSUMERS,
)
def cdp_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtRunConfig,
):
    """Builds (runs and tests) the selected dbt models against the warehouse this run holds."""
    os.environ.update(dbt_environment(Settings.from_env()))
    args = ["build", "--vars", json.dumps({"as_of": config.as_of})]
    if config.full_refresh:
        args.append("--full-refresh")
    sync_parquet_mirror(context, warehouse, dbt_project.manifest_path)
    yield from dbt.cli(args, context=context).stream()
    publish_spark_tables(context, warehouse, dbt_project.manifest_path)
