"""Predictive customer traits: the BG/NBD family of purchase models with Gamma-Gamma spend.

Plain Python (numpy, scipy, pandas; no Dagster import), so the models are testable on their
own. `orchestration/defs/predictive.py` is the thin Dagster asset that reads the dbt purchase
summary from the warehouse, calls `score_customers` and writes the predictions back.
"""

from cdp.predictive.bgnbd import BetaGeoModel, fit_beta_geo
from cdp.predictive.gamma_gamma import GammaGammaModel, fit_gamma_gamma
from cdp.predictive.scoring import PredictionRun, score_customers
from cdp.predictive.summary import summarise_purchases

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "PredictionRun",
    "fit_beta_geo",
    "fit_gamma_gamma",
    "score_customers",
    "summarise_purchases",
]
