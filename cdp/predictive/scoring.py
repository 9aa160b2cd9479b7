"""Fit the purchase and spend models on the customer base and score every customer.

`score_customers` is what the Dagster asset runs: it takes the purchase summary (one row per
customer, as int_purchase_summary writes it), fits the purchase model (MBG/NBD or BG/NBD, by
default whichever the data support better) and Gamma-Gamma on it, and returns one row of
predictions per customer plus a record of the fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import pandas as pd

from cdp.predictive.bgnbd import BetaGeoModel, ModelName, fit_beta_geo
from cdp.predictive.gamma_gamma import GammaGammaModel, fit_gamma_gamma

HORIZON_DAYS: tuple[int, ...] = (90, 365)
# `auto` fits both purchase models and keeps the likelier one. They have the same number of
# parameters, so comparing log-likelihoods is comparing AIC (or BIC); a difference below 1
# (ΔAIC < 2) is no evidence either way, and then MBG/NBD is kept, which lets one-time buyers
# lapse (docs/profiles.md).
AUTO_MIN_LOG_LIKELIHOOD_GAIN = 1.0
# Below these counts a fit says more about noise than about customers: predictions stay null.
MIN_CUSTOMERS = 30
MIN_REPEAT_CUSTOMERS = 10

# The predictions marts.profiles carries for each customer (models/marts/core/profiles.sql).
PROFILE_TRAITS: tuple[str, ...] = (
    "probability_alive",
    "churn_risk_score",
    "expected_purchases_90d",
    "expected_purchases_365d",
    "expected_value_90d",
    "expected_value_365d",
)

PREDICTION_COLUMNS: tuple[str, ...] = (
    "person_id",
    "frequency",
    "recency_weeks",
    "t_weeks",
    "monetary_value",
    "probability_alive",
    "churn_risk_score",
    "expected_purchases_90d",
    "expected_purchases_365d",
    "expected_average_order_value",
    "expected_value_90d",
    "expected_value_365d",
    "model_name",
    "as_of_at",
    "fitted_at",
)


@dataclass
class PredictionRun:
    """The predictions and what produced them (written to predictive.model_fits)."""

    predictions: pd.DataFrame
    model_name: str
    fitted_at: datetime
    purchase_model: BetaGeoModel | None = None
    spend_model: GammaGammaModel | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def params(self) -> dict[str, float]:
        params: dict[str, float] = {}
        if self.purchase_model:
            params.update(self.purchase_model.params)
        if self.spend_model:
            params.update(self.spend_model.params)
        return params


def score_customers(
    summary: pd.DataFrame,
    model: ModelName | Literal["auto"] = "auto",
    penalizer: float = 0.0,
    fitted_at: datetime | None = None,
) -> PredictionRun:
    """Fits the models on `summary` and predicts for every customer in it.

    Columns read: person_id, frequency, recency_weeks, t_weeks, monetary_value (null without
    repeat purchases), total_revenue and purchase_days (for the spend fallback), as_of_at.
    """
    fitted_at = fitted_at or datetime.now(UTC).replace(tzinfo=None)
    frame = summary.copy()
    for column in ("frequency", "recency_weeks", "t_weeks", "monetary_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    # A first purchase on as_of's own day has T = 0: the models need T > 0, so it is scored
    # with a day of age (it carries no information either way).
    frame["t_weeks"] = frame["t_weeks"].clip(lower=1.0 / 7.0)
    if "as_of_at" not in frame:
        frame["as_of_at"] = pd.NaT
    run = PredictionRun(predictions=frame, model_name=model, fitted_at=fitted_at)

    repeaters = int((frame["frequency"] > 0).sum())
    if len(frame) < MIN_CUSTOMERS or repeaters < MIN_REPEAT_CUSTOMERS:
        run.notes.append(
            f"not fitted: {len(frame)} customers, {repeaters} with repeat purchases "
            f"(need {MIN_CUSTOMERS} and {MIN_REPEAT_CUSTOMERS})"
        )
        run.model_name = "none"
        run.predictions = _finish(frame, run)
        return run

    x = frame["frequency"].to_numpy()
    t_x = frame["recency_weeks"].to_numpy()
    T = frame["t_weeks"].to_numpy()
    purchase_model = _fit_purchase_model(x, t_x, T, model, penalizer, run)
    run.purchase_model = purchase_model
    if not purchase_model.converged:
        run.notes.append("purchase model: optimiser did not report convergence")
    frame["probability_alive"] = purchase_model.probability_alive(x, t_x, T)
    for days in HORIZON_DAYS:
        frame[f"expected_purchases_{days}d"] = purchase_model.expected_purchases(
            days / 7.0, x, t_x, T
        )

    spend = _spend(frame, run, penalizer)
    frame["expected_average_order_value"] = spend
    for days in HORIZON_DAYS:
        frame[f"expected_value_{days}d"] = frame[f"expected_purchases_{days}d"] * spend
    spend_name = "gamma_gamma" if run.spend_model else "observed_mean"
    run.model_name = f"{purchase_model.model}+{spend_name}"
    run.predictions = _finish(frame, run)
    return run


def _fit_purchase_model(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
    model: ModelName | Literal["auto"],
    penalizer: float,
    run: PredictionRun,
) -> BetaGeoModel:
    if model != "auto":
        return fit_beta_geo(x, t_x, T, model=model, penalizer=penalizer)
    mbg = fit_beta_geo(x, t_x, T, model="mbg_nbd", penalizer=penalizer)
    bg = fit_beta_geo(x, t_x, T, model="bg_nbd", penalizer=penalizer)
    chosen = bg if bg.log_likelihood - mbg.log_likelihood >= AUTO_MIN_LOG_LIKELIHOOD_GAIN else mbg
    run.notes.append(
        f"auto: log-likelihood mbg_nbd {mbg.log_likelihood:.1f}, bg_nbd {bg.log_likelihood:.1f}; "
        f"kept {chosen.model}"
    )
    return chosen


def _spend(frame: pd.DataFrame, run: PredictionRun, penalizer: float) -> pd.Series:
    """Gamma-Gamma expected spend per purchase day; the customer's observed mean if the model
    cannot be fitted (too few repeat buyers, or q <= 1 so that no population mean exists)."""
    observed = pd.to_numeric(frame.get("total_revenue"), errors="coerce") / pd.to_numeric(
        frame.get("purchase_days"), errors="coerce"
    )
    try:
        spend_model = fit_gamma_gamma(frame["frequency"], frame["monetary_value"], penalizer)
    except ValueError as exc:
        run.notes.append(f"spend model not fitted: {exc}")
        return observed
    if not (spend_model.q > 1.0 and math.isfinite(spend_model.population_mean)):
        run.notes.append("spend model: q <= 1 (no finite mean spend); using observed means")
        return observed
    run.spend_model = spend_model
    if abs(spend_model.frequency_spend_correlation) > 0.3:
        run.notes.append(
            "spend model: frequency and spend correlate "
            f"({spend_model.frequency_spend_correlation:.2f}); Gamma-Gamma assumes they do not"
        )
    monetary = frame["monetary_value"].where(frame["monetary_value"] > 0)
    x = frame["frequency"].where(monetary.notna(), 0.0)
    return pd.Series(spend_model.expected_spend(x, monetary), index=frame.index)


def _finish(frame: pd.DataFrame, run: PredictionRun) -> pd.DataFrame:
    for column in PREDICTION_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    alive = frame["probability_alive"]
    frame["churn_risk_score"] = (100.0 * (1.0 - alive)).round().astype("Int64")
    frame["model_name"] = run.model_name
    frame["fitted_at"] = run.fitted_at
    return frame[list(PREDICTION_COLUMNS)].reset_index(drop=True)
