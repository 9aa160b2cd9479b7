"""BG/NBD and MBG/NBD purchase models: maximum-likelihood fit and per-customer predictions.

Notation of Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative
to the Pareto/NBD Model", Marketing Science 24(2), 275-284. For each customer: x repeat
purchases, t_x the time of the last one and T the time since the first purchase (we use weeks).
While active a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after a purchase
they drop out with probability p ~ Beta(a, b).

* ``bg_nbd``: the paper's model. Drop-out can only follow a *repeat* purchase, so a customer
  with x = 0 is certainly alive (P(alive) = 1 whatever T).
* ``mbg_nbd``: the modified BG/NBD of Batislam, Denizel & Filiztekin (2007), "Empirical
  validation and comparison of models for customer base analysis", IJRM 24(3), 201-209, in
  which a customer may also drop out right after the first purchase. Same parameters, same
  closed forms; one-time buyers get a P(alive) that falls with T, which a churn score needs.

Formulas (log space, so large x and T do not overflow):

  BG/NBD likelihood, FHL (2005) eq. 6:
      L = A1 · A2 · (A3 + δ(x>0) · A4)
      A1 = Γ(r+x) α^r / Γ(r)            A2 = Γ(a+b) Γ(b+x) / (Γ(b) Γ(a+b+x))
      A3 = (α+T)^-(r+x)                 A4 = a/(b+x−1) · (α+t_x)^-(r+x)
  MBG/NBD likelihood (Batislam et al. 2007, eq. 4):
      L = A1 · B(a, b+x+1)/B(a, b) · (α+T)^-(r+x) · (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
  P(alive | x, t_x, T), FHL (2005) appendix / Batislam et al.:
      BG:  1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
      MBG: 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
  E[Y(t) | x, t_x, T], purchases in the next t, FHL (2005) eq. 10:
      BG:  (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
           / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
      MBG: (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x+1; a+b+x; t/(α+T+t))]
           / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

ModelName = Literal["bg_nbd", "mbg_nbd"]
MODELS: tuple[ModelName, ...] = ("bg_nbd", "mbg_nbd")

# Parameters are fitted on the log scale within these bounds: wide enough for any real customer
# base (in weeks), narrow enough that a base with no visible drop-out (b → ∞) stops at a finite,
# harmless value instead of overflowing.
_LOG_BOUNDS = (-9.0, 9.0)


@dataclass(frozen=True)
class BetaGeoModel:
    """A fitted BG/NBD or MBG/NBD model (time unit: weeks)."""

    model: ModelName
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    converged: bool

    @property
    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def probability_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> NDArray:
        """P(the customer is still active at T | x, t_x, T)."""
        x, t_x, T = _arrays(x, t_x, T)
        return 1.0 / (1.0 + np.exp(self._log_dropout_odds(x, t_x, T)))

    def expected_purchases(self, t: float, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> NDArray:
        """E[number of purchases in (T, T + t] | x, t_x, T] (FHL 2005 eq. 10 / its MBG form)."""
        x, t_x, T = _arrays(x, t_x, T)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        if abs(a - 1.0) < 1e-8:  # the closed form has a removable singularity at a = 1
            a = 1.0 + 1e-8
        z = t / (alpha + T + t)
        shrink = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
        if self.model == "bg_nbd":
            lead = (a + b + x - 1.0) / (a - 1.0)
            hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        else:
            lead = (a + b + x) / (a - 1.0)
            hyp = hyp2f1(r + x, b + x + 1.0, a + b + x, z)
        numerator = lead * (1.0 - shrink * hyp)
        return np.maximum(numerator * self.probability_alive(x, t_x, T), 0.0)

    def _log_dropout_odds(self, x: NDArray, t_x: NDArray, T: NDArray) -> NDArray:
        """log of the second term of the P(alive) denominator (−inf when it is absent)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        ratio = (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        if self.model == "bg_nbd":
            with np.errstate(divide="ignore", invalid="ignore"):
                odds = np.log(a) - np.log(b + x - 1.0) + ratio
            return np.where(x > 0, odds, -np.inf)
        return np.log(a) - np.log(b + x) + ratio


def log_likelihood(
    model: ModelName, params: ArrayLike, x: NDArray, t_x: NDArray, T: NDArray
) -> NDArray:
    """Per-customer log-likelihood of (r, α, a, b)."""
    r, alpha, a, b = np.asarray(params, dtype=float)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    if model == "bg_nbd":
        a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        a3 = -(r + x) * np.log(alpha + T)
        with np.errstate(divide="ignore", invalid="ignore"):
            a4 = np.log(a) - np.log(b + x - 1.0) - (r + x) * np.log(alpha + t_x)
        a4 = np.where(x > 0, a4, -np.inf)
        return a1 + a2 + np.logaddexp(a3, a4)
    a2 = betaln(a, b + x + 1.0) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    return a1 + a2 + a3 + np.logaddexp(0.0, a4)


def fit_beta_geo(
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    model: ModelName = "mbg_nbd",
    penalizer: float = 0.0,
) -> BetaGeoModel:
    """Maximum-likelihood fit (L-BFGS-B on log-parameters, a few starting points).

    `penalizer` adds penalizer · Σ params² to the negative log-likelihood per customer (the
    same regulariser as the `lifetimes` package); 0 is plain maximum likelihood.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    x, t_x, T = _arrays(x, t_x, T)
    _check_inputs(x, t_x, T)
    n = len(x)

    def objective(log_params: NDArray) -> float:
        params = np.exp(log_params)
        ll = log_likelihood(model, params, x, t_x, T)
        value = -np.sum(ll) / n + penalizer * np.sum(params**2)
        return float(value) if np.isfinite(value) else 1e12

    mean_rate = max(float(np.sum(x) / np.sum(T)), 1e-3)
    starts = [
        np.log([1.0, 1.0 / mean_rate, 1.0, 1.0]),
        np.log([0.5, 0.5 / mean_rate, 0.5, 3.0]),
        np.log([2.0, 2.0 / mean_rate, 1.5, 10.0]),
    ]
    best = None
    for start in starts:
        start = np.clip(start, *_LOG_BOUNDS)
        result = minimize(
            objective,
            start,
            method="L-BFGS-B",
            bounds=[_LOG_BOUNDS] * 4,
            options={"maxiter": 2000},
        )
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    r, alpha, a, b = np.exp(best.x)
    total_ll = float(np.sum(log_likelihood(model, (r, alpha, a, b), x, t_x, T)))
    return BetaGeoModel(
        model=model,
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=total_ll,
        customers=n,
        converged=bool(best.success),
    )


def _arrays(*values: ArrayLike) -> tuple[NDArray, ...]:
    return tuple(np.asarray(v, dtype=float) for v in values)


def _check_inputs(x: NDArray, t_x: NDArray, T: NDArray) -> None:
    if not (len(x) == len(t_x) == len(T)) or len(x) == 0:
        raise ValueError("x, t_x and T must be non-empty and of equal length")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(T <= 0) or np.any(t_x > T + 1e-9):
        raise ValueError("need x >= 0, 0 <= t_x <= T and T > 0 for every customer")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("t_x must be 0 for customers without repeat purchases")
