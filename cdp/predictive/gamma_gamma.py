"""The Gamma-Gamma model of spend per transaction.

Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
Journal of Marketing Research 42(4), 415-430, section "Adding monetary value" (after Colombo &
Jiang 1999). A customer's transaction values are Gamma(p, ν) around their mean p/ν, and ν varies
across customers as Gamma(q, γ). For a customer with x repeat transactions of mean value m:

  likelihood (eq. 3 of the paper's technical note):
      f(m | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m^(px−1) · x^(px) / (γ + m·x)^(px+q)
  expected value of a future transaction (eq. 5):
      E[M | p, q, γ, m, x] = p (γ + m·x) / (p·x + q − 1)
                           = (q−1)/(px+q−1) · pγ/(q−1)  +  px/(px+q−1) · m
      a weighted mean of the population mean pγ/(q−1) and the customer's own mean.

It assumes spend is independent of purchase frequency: `frequency_spend_correlation` reports
the correlation so that a user can check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import gammaln

_LOG_BOUNDS = (-9.0, 12.0)


@dataclass(frozen=True)
class GammaGammaModel:
    """A fitted Gamma-Gamma spend model."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    converged: bool
    frequency_spend_correlation: float

    @property
    def params(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    @property
    def population_mean(self) -> float:
        """E[M] for a customer with no repeat transaction (q > 1 for it to exist)."""
        return self.p * self.gamma / (self.q - 1.0) if self.q > 1.0 else float("nan")

    def expected_spend(self, x: ArrayLike, m: ArrayLike) -> NDArray:
        """E[value of a future transaction | x repeat transactions of mean m] (eq. 5)."""
        x = np.asarray(x, dtype=float)
        m = np.nan_to_num(np.asarray(m, dtype=float), nan=0.0)
        return self.p * (self.gamma + m * x) / (self.p * x + self.q - 1.0)


def log_likelihood(params: ArrayLike, x: NDArray, m: NDArray) -> NDArray:
    """Per-customer log-likelihood of (p, q, γ) for x > 0 and m > 0."""
    p, q, gamma = np.asarray(params, dtype=float)
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m * x)
    )


def fit_gamma_gamma(x: ArrayLike, m: ArrayLike, penalizer: float = 0.0) -> GammaGammaModel:
    """Maximum-likelihood fit on customers with x > 0 repeat transactions of mean m > 0
    (others are left out: the model is defined on repeat transactions with positive value)."""
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    keep = (x > 0) & np.isfinite(m) & (m > 0)
    x, m = x[keep], m[keep]
    if len(x) < 2:
        raise ValueError("Gamma-Gamma needs at least two customers with repeat purchases")
    n = len(x)

    def objective(log_params: NDArray) -> float:
        params = np.exp(log_params)
        value = -np.sum(log_likelihood(params, x, m)) / n + penalizer * np.sum(params**2)
        return float(value) if np.isfinite(value) else 1e12

    mean = float(np.mean(m))
    best = None
    for start in (np.log([1.0, 2.0, mean]), np.log([5.0, 5.0, mean]), np.log([10.0, 3.0, mean])):
        result = minimize(
            objective,
            np.clip(start, *_LOG_BOUNDS),
            method="L-BFGS-B",
            bounds=[_LOG_BOUNDS] * 3,
            options={"maxiter": 2000},
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    p, q, gamma = np.exp(best.x)
    correlation = float(np.corrcoef(x, m)[0, 1]) if n > 2 and np.std(x) > 0 else float("nan")
    return GammaGammaModel(
        p=float(p),
        q=float(q),
        gamma=float(gamma),
        log_likelihood=float(np.sum(log_likelihood((p, q, gamma), x, m))),
        customers=n,
        converged=bool(best.success),
        frequency_spend_correlation=correlation,
    )
