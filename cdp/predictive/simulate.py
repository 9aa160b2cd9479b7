"""Purchase histories drawn from the BG/NBD or MBG/NBD generative process, for tests and for
the benchmark's synthetic check (does the fit recover a drop-out process when there is one?)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdp.predictive.bgnbd import ModelName


def simulate_customers(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    calibration_weeks: float | np.ndarray,
    holdout_weeks: float,
    model: ModelName = "bg_nbd",
    seed: int = 0,
) -> pd.DataFrame:
    """`n` customers whose first purchase is at time 0; returns x, t_x, T over the calibration
    period (T = calibration_weeks, per customer if an array), the purchases made in the
    holdout (T, T + holdout_weeks] and whether the customer was still active at T."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(shape=r, scale=1.0 / alpha, size=n)
    dropout = rng.beta(a, b, size=n)
    horizon = np.broadcast_to(np.asarray(calibration_weeks, dtype=float), (n,))
    rows = []
    for rate, p, T in zip(rates, dropout, horizon, strict=True):
        died_at = 0.0 if model == "mbg_nbd" and rng.random() < p else None
        t, x, t_x, holdout = 0.0, 0, 0.0, 0
        while died_at is None:
            t += rng.exponential(1.0 / rate)
            if t > T + holdout_weeks:
                break
            if t <= T:
                x, t_x = x + 1, t
            else:
                holdout += 1
            if rng.random() < p:
                died_at = t
        rows.append((x, t_x, T, holdout, died_at is None or died_at > T))
    columns = ["frequency", "recency_weeks", "t_weeks", "holdout", "alive_at_t"]
    return pd.DataFrame(rows, columns=columns)
