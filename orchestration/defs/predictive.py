"""Predictive traits between two dbt steps.

dbt builds the purchase summary (intermediate.int_purchase_summary); this Python asset fits the
purchase and spend models on it (cdp/predictive/) and writes
predictive.customer_predictions; a second dbt step then builds the models that read those
predictions (dbt selection `source:predictive+`: int_person_predictions, crm_contacts,
segment_high_churn_risk). The dbt project is split into two `@dbt_assets` definitions by
selection (cdp_dbt_models excludes what this one selects), the pattern dagster-dbt documents for
putting a Python asset between dbt models: one multi-asset on both sides of a Python asset would
be an op-level cycle, which Dagster can only resolve by splitting it into steps named by sort
order, each needing its own run config. Here both steps are named, and this one takes the
run's as_of from cdp_dbt_models' config when it is given none, so one --as-of drives the run.
"""

import os
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from cdp.core.settings import Settings
from cdp.predictive.scoring import score_customers
from cdp.predictive.warehouse import (
    PREDICTIONS_TABLE,
    read_purchase_summary,
    write_predictions,
)
from orchestration.dbt_project import dbt_environment, dbt_project, run_vars
from orchestration.defs.parquet_mirror import publish_spark_tables, sync_parquet_mirror
from orchestration.defs.transform import (
    PIPELINE_BUILD_FLAGS,
    PREDICTION_CONSUMERS,
    DbtRunConfig,
    build_dbt_models,
    cdp_dbt_models,
    translator,
)
from orchestration.resources import WarehouseResource

PREDICTIONS_KEY = dg.AssetKey(["predictive", "customer_predictions"])


class PredictiveConfig(dg.Config):
    """Options of the predictive fit."""

    model: str = "auto"
    """auto (fit MBG/NBD and BG/NBD, keep the likelier; MBG/NBD on a tie), mbg_nbd or bg_nbd."""
    penalizer: float = 0.0
    """L2 penalty on the parameters; 0 = plain maximum likelihood."""


@dg.asset(
    key=PREDICTIONS_KEY,
    deps=[get_asset_key_for_model([cdp_dbt_models], "int_purchase_summary")],
    group_name="predictive",
    kinds={"python", "duckdb"},
    description=(
        "Probability each customer is still active, churn-risk score and expected purchases and "
        "net revenue over 90 / 365 days: MBG/NBD or BG/NBD (the likelier) + Gamma-Gamma "
        "fitted on int_purchase_summary (docs/profiles.md)."
    ),
)
def customer_predictions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, config: PredictiveConfig
) -> dg.MaterializeResult:
    """Fits the models on every customer's purchase summary and writes one row per customer."""
    if config.model not in ("auto", "mbg_nbd", "bg_nbd"):
        raise dg.Failure(f"model must be auto, mbg_nbd or bg_nbd, got {config.model!r}")
    with warehouse.connection() as conn:
        summary = read_purchase_summary(conn)
        run = score_customers(summary, model=config.model, penalizer=config.penalizer)  # type: ignore[arg-type]
        rows = write_predictions(conn, run)
    for note in run.notes:
        context.log.info(note)
    predictions = run.predictions
    alive = predictions["probability_alive"].dropna()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "table": PREDICTIONS_TABLE,
            "model": run.model_name,
            "params": dg.MetadataValue.json(run.params),
            "mean_probability_alive": float(alive.mean()) if len(alive) else None,
            "expected_purchases_365d_total": float(
                predictions["expected_purchases_365d"].fillna(0).sum()
            ),
            "notes": "; ".join(run.notes) or "fitted",
        }
    )


def _run_wide_config(context: dg.AssetExecutionContext, config: DbtRunConfig) -> DbtRunConfig:
    """This step's config, with as_of / full_refresh taken from cdp_dbt_models' config in the
    same run when this step was given none."""
    run_config: dict[str, Any] = context.run.run_config or {}
    first = run_config.get("ops", {}).get("cdp_dbt_models", {}).get("config", {}) or {}
    return DbtRunConfig(
        as_of=config.as_of or str(first.get("as_of", "") or ""),
        full_refresh=config.full_refresh or bool(first.get("full_refresh", False)),
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=PREDICTION_CONSUMERS,
)
def cdp_dbt_prediction_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtRunConfig,
):
    """Builds (runs and tests) the dbt models that read predictive.customer_predictions."""
    settings = _run_wide_config(context, config)
    os.environ.update(dbt_environment(Settings.from_env()))
    args = ["build", *PIPELINE_BUILD_FLAGS, "--vars", run_vars(settings.as_of)]
    if settings.full_refresh:
        args.append("--full-refresh")
    sync_parquet_mirror(context, warehouse, dbt_project.manifest_path)
    # Same local failures as cdp_dbt_models; Dagster skips this whole step when one of its
    # upstream dbt models was not built (a step runs only when all its inputs arrived).
    yield from build_dbt_models(context, dbt, args)
    publish_spark_tables(context, warehouse, dbt_project.manifest_path)
