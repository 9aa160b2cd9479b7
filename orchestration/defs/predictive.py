"""Predictive traits between two dbt steps.

dbt builds the purchase summary (intermediate.int_purchase_summary); this Python asset fits the
purchase and spend models on it (cdp/predictive/) and writes
predictive.customer_predictions; a second dbt step then builds the models that read those
predictions (dbt selection `source:predictive+`: int_person_predictions, crm_contacts,
segment_high_churn_risk). The dbt project is split into two `@dbt_assets` definitions by
selection (cdp_dbt_models excludes what this one selects), the pattern dagster-dbt documents for
putting a Python asset between dbt models: one multi-asset on both sides of a Python asset would
be an op-level cycle, which Dagster can only resolve by splitting it into steps named by sort
order, each needing its own run config. Here both steps are named and read the run's dbt
options from one resource (`dbt_run`: orchestration/resources.py), so one --as-of drives the run.
"""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model

from cdp.predictive.scoring import score_customers
from cdp.predictive.warehouse import (
    PREDICTIONS_TABLE,
    read_purchase_summary,
    write_predictions,
)
from orchestration.dbt_project import dbt_project
from orchestration.defs.transform import (
    PREDICTION_CONSUMERS,
    cdp_dbt_models,
    run_dbt_step,
    translator,
)
from orchestration.owners import DATA_PLATFORM
from orchestration.resources import CdpSettingsResource, DbtRunResource, WarehouseResource

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
    owners=[DATA_PLATFORM],
    tags={"layer": "intermediate"},
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
    cdp_settings: CdpSettingsResource,
    dbt_run: DbtRunResource,
):
    """Builds (runs and tests) the dbt models that read predictive.customer_predictions."""
    # Same local failures as cdp_dbt_models; Dagster skips this whole step when one of its
    # upstream dbt models was not built (a step runs only when all its inputs arrived).
    yield from run_dbt_step(context, dbt, warehouse, cdp_settings, dbt_run)
