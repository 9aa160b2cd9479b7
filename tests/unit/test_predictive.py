"""The purchase (BG/NBD, MBG/NBD) and spend (Gamma-Gamma) models of cdp/predictive."""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.special import beta as beta_fn
from scipy.special import gamma as gamma_fn

from cdp.predictive import (
    BetaGeoModel,
    fit_beta_geo,
    fit_gamma_gamma,
    score_customers,
    summarise_purchases,
)
from cdp.predictive.bgnbd import log_likelihood
from cdp.predictive.simulate import simulate_customers
from cdp.predictive.warehouse import PREDICTIONS_TABLE, write_predictions

# Fader, Hardie & Lee (2005) Table 1: BG/NBD on the CDNOW sample (weeks).
CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def test_bg_nbd_likelihood_is_the_papers_equation_6() -> None:
    r, alpha, a, b = CDNOW.values()
    x, t_x, T = 2.0, 30.43, 38.86
    a1 = gamma_fn(r + x) * alpha**r / gamma_fn(r)
    a2 = gamma_fn(a + b) * gamma_fn(b + x) / (gamma_fn(b) * gamma_fn(a + b + x))
    a3 = (1 / (alpha + T)) ** (r + x)
    a4 = (a / (b + x - 1)) * (1 / (alpha + t_x)) ** (r + x)
    expected = np.log(a1 * a2 * (a3 + a4))
    got = log_likelihood("bg_nbd", (r, alpha, a, b), np.array([x]), np.array([t_x]), np.array([T]))
    assert got[0] == pytest.approx(expected, rel=1e-10)
    # x = 0: no drop-out term, L = (α/(α+T))^r · 1.
    zero = log_likelihood("bg_nbd", (r, alpha, a, b), np.zeros(1), np.zeros(1), np.array([T]))
    assert zero[0] == pytest.approx(r * np.log(alpha / (alpha + T)), rel=1e-10)


def test_mbg_nbd_likelihood_is_batislam_equation_4() -> None:
    r, alpha, a, b = CDNOW.values()
    x, t_x, T = 3.0, 20.0, 40.0
    a1 = gamma_fn(r + x) * alpha**r / gamma_fn(r)
    expected = np.log(
        a1
        * beta_fn(a, b + x + 1)
        / beta_fn(a, b)
        * (alpha + T) ** -(r + x)
        * (1 + a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    )
    got = log_likelihood("mbg_nbd", (r, alpha, a, b), np.array([x]), np.array([t_x]), np.array([T]))
    assert got[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("model", ["bg_nbd", "mbg_nbd"])
def test_fit_recovers_the_parameters_of_simulated_customers(model: str) -> None:
    truth = {"r": 0.8, "alpha": 8.0, "a": 0.8, "b": 2.5}
    data = simulate_customers(
        6000, **truth, calibration_weeks=52.0, holdout_weeks=26.0, model=model, seed=3
    )
    fitted = fit_beta_geo(data.frequency, data.recency_weeks, data.t_weeks, model=model)
    assert fitted.converged
    # The rate's mean r/α and the drop-out's mean a/(a+b) are well identified.
    assert fitted.r / fitted.alpha == pytest.approx(0.1, rel=0.1)
    assert fitted.a / (fitted.a + fitted.b) == pytest.approx(0.8 / 3.3, rel=0.15)


@pytest.mark.parametrize("model", ["bg_nbd", "mbg_nbd"])
def test_conditional_expectation_adds_up_to_the_simulated_holdout(model: str) -> None:
    """Σ E[Y(t) | x, t_x, T] under the true parameters = E[holdout purchases] (total
    expectation), so it must match a large simulated holdout: checks eq. 10 and P(alive)."""
    truth = BetaGeoModel(model, 0.8, 8.0, 0.8, 2.5, 0.0, 0, True)  # type: ignore[arg-type]
    t_cal = np.random.default_rng(5).uniform(10, 70, 8000)
    data = simulate_customers(
        8000, 0.8, 8.0, 0.8, 2.5, calibration_weeks=t_cal, holdout_weeks=26.0, model=model, seed=4
    )
    predicted = truth.expected_purchases(26.0, data.frequency, data.recency_weeks, data.t_weeks)
    assert predicted.sum() == pytest.approx(data.holdout.sum(), rel=0.04)


def test_one_time_buyers_are_always_alive_in_bg_nbd_but_not_in_mbg_nbd() -> None:
    bg = BetaGeoModel("bg_nbd", 0.5, 5.0, 0.8, 2.5, 0.0, 0, True)
    mbg = BetaGeoModel("mbg_nbd", 0.5, 5.0, 0.8, 2.5, 0.0, 0, True)
    ages = np.array([5.0, 20.0, 60.0])
    zeros = np.zeros(3)
    assert np.allclose(bg.probability_alive(zeros, zeros, ages), 1.0)
    alive = mbg.probability_alive(zeros, zeros, ages)
    assert np.all(alive < 1.0) and np.all(np.diff(alive) < 0)
    # A frequent buyer who stopped long ago is less likely alive than one who just bought.
    stale, fresh = bg.probability_alive([5, 5], [5.0, 59.0], [60.0, 60.0])
    assert stale < fresh


def test_gamma_gamma_recovers_spend_and_shrinks_towards_the_mean() -> None:
    rng = np.random.default_rng(7)
    p, q, gamma = 6.0, 4.0, 15.0
    nu = rng.gamma(q, 1.0 / gamma, 5000)
    x = rng.integers(1, 8, 5000)
    m = np.array([rng.gamma(p, 1.0 / v, k).mean() for v, k in zip(nu, x, strict=True)])
    model = fit_gamma_gamma(x, m)
    assert model.population_mean == pytest.approx(p * gamma / (q - 1), rel=0.1)
    one, many = model.expected_spend([1, 20], [200.0, 200.0])
    # The more transactions, the more the customer's own mean counts.
    assert model.population_mean < one < many < 200.0


def test_summary_counts_repeat_days_and_weeks_like_the_dbt_model() -> None:
    orders = pd.DataFrame(
        {
            "person_id": ["p", "p", "p", "p", "p", "q"],
            "ordered_at": pd.to_datetime(
                [
                    "2025-01-01 09:00",
                    "2025-01-01 18:00",
                    "2025-01-15 12:00",
                    "2025-01-29 12:00",
                    "2025-03-01 12:00",
                    "2025-02-05 12:00",
                ]
            ),
            "net_revenue_amount": [30.0, 20.0, 40.0, 60.0, 99.0, 15.0],
        }
    )
    summary = summarise_purchases(orders, datetime(2025, 2, 12, 12)).set_index("person_id")
    assert summary.loc[
        "p", ["frequency", "recency_weeks", "t_weeks", "monetary_value"]
    ].tolist() == [
        2,
        4.0,
        6.0,
        50.0,
    ]
    assert summary.loc["q", "frequency"] == 0 and pd.isna(summary.loc["q", "monetary_value"])


def _summary_frame(seed: int = 9, n: int = 400) -> pd.DataFrame:
    t_cal = np.random.default_rng(seed).uniform(4, 70, n)
    data = simulate_customers(
        n,
        0.8,
        8.0,
        0.8,
        2.5,
        calibration_weeks=t_cal,
        holdout_weeks=1.0,
        model="mbg_nbd",
        seed=seed,
    )
    data["person_id"] = [f"p{i}" for i in range(n)]
    data["monetary_value"] = np.where(data.frequency > 0, 40.0 + data.index % 7, np.nan)
    data["purchase_days"] = data.frequency + 1
    data["total_revenue"] = 45.0 * data.purchase_days
    data["as_of_at"] = pd.Timestamp("2025-06-30 12:00")
    return data


def test_scoring_writes_one_prediction_per_customer(tmp_path) -> None:
    run = score_customers(_summary_frame())
    predictions = run.predictions
    assert run.model_name in ("mbg_nbd+gamma_gamma", "bg_nbd+gamma_gamma")
    assert any(note.startswith("auto:") for note in run.notes)
    assert len(predictions) == 400 and predictions.person_id.is_unique
    assert predictions.probability_alive.between(0, 1).all()
    assert (
        predictions.churn_risk_score == (100 * (1 - predictions.probability_alive)).round()
    ).all()
    assert (predictions.expected_purchases_365d >= predictions.expected_purchases_90d).all()
    assert (predictions.expected_value_365d > 0).all()
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert write_predictions(conn, run) == 400
    [(rows, fits)] = conn.execute(
        f"select count(*), (select count(*) from predictive.model_fits) from {PREDICTIONS_TABLE}"
    ).fetchall()
    assert (rows, fits) == (400, 1)


def test_too_little_history_writes_null_predictions_instead_of_failing(tmp_path) -> None:
    run = score_customers(_summary_frame(n=12))
    assert run.model_name == "none" and run.notes
    assert run.predictions.probability_alive.isna().all()
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert write_predictions(conn, run) == 12
