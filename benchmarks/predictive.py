"""Calibration / holdout validation of the predictive traits (cdp/predictive/).

Fits the purchase models on the history up to `as_of − holdout` and compares, per customer,
the purchases (purchase days) and net revenue predicted for the holdout with what the customers
actually did in it; beside two naive baselines:
  * individual rate: each customer repeats their calibration-period repeat-purchase rate x / T;
  * population rate: every customer buys at the base's average rate Σx / ΣT.
Then the same on synthetic bases drawn from the BG/NBD and the MBG/NBD processes with real
drop-out (the CDNOW parameters of Fader, Hardie & Lee 2005), because the demo generator has no
drop-out at all: its shoppers place their orders uniformly at random over the whole history.
There the truth of who is still active is known, so P(alive) is scored too (Brier, AUC).

    .venv/bin/python benchmarks/predictive.py                      # demo data, 1000 people
    .venv/bin/python benchmarks/predictive.py --warehouse warehouse/cdp.duckdb \
        --as-of 2025-06-30T12:00:00

Prints a table and writes benchmarks/results/predictive.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cdp.predictive import fit_beta_geo, fit_gamma_gamma  # noqa: E402
from cdp.predictive.scoring import AUTO_MIN_LOG_LIKELIHOOD_GAIN  # noqa: E402
from cdp.predictive.simulate import simulate_customers  # noqa: E402
from cdp.predictive.summary import summarise_purchases  # noqa: E402

CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def build_warehouse(root: Path, people: int, seed: int, as_of: str) -> Path:
    """Generates demo data and runs the whole pipeline (`cdp run`) into `root`."""
    env = {
        **os.environ,
        "CDP_LANDING_DIR": str(root / "landing"),
        "CDP_WAREHOUSE": str(root / "cdp.duckdb"),
        "CDP_EXPORTS_DIR": str(root / "exports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    cdp = str(Path(sys.executable).with_name("cdp"))
    for args in (
        ["demo-data", "--people", str(people), "--seed", str(seed), "--as-of", as_of],
        ["run", "--as-of", as_of],
    ):
        subprocess.run([cdp, *args], env=env, check=True, capture_output=True, text=True)
    return root / "cdp.duckdb"


def read_orders(warehouse: Path) -> pd.DataFrame:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        return conn.execute(
            "select person_id, ordered_at, "
            "cast(net_revenue_amount as double) as net_revenue_amount "
            "from marts.orders where person_id is not null and not is_cancelled"
        ).df()
    finally:
        conn.close()


def errors(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    return {
        "mae_per_customer": float(np.mean(np.abs(predicted - actual))),
        "rmse_per_customer": float(np.sqrt(np.mean((predicted - actual) ** 2))),
        "total_predicted": float(predicted.sum()),
        "total_actual": float(actual.sum()),
        "total_error_pct": float(100 * (predicted.sum() - actual.sum()) / max(actual.sum(), 1e-9)),
        # None when one side is constant (the population-rate baseline): JSON has no NaN.
        "correlation": float(np.corrcoef(predicted, actual)[0, 1])
        if np.std(predicted) > 0 and np.std(actual) > 0
        else None,
    }


def churn_accuracy(probability_alive: np.ndarray, alive: np.ndarray) -> dict[str, float]:
    """How well P(alive) separates the customers who really were still active (synthetic data
    only: the demo generator has no drop-out). AUC of the churn score for 'has dropped out'."""
    dead = ~alive.astype(bool)
    ranks = pd.Series(1.0 - probability_alive).rank().to_numpy()
    n_dead, n_alive = dead.sum(), (~dead).sum()
    auc = (ranks[dead].sum() - n_dead * (n_dead + 1) / 2) / (n_dead * n_alive)
    return {
        "actual_share_alive": float(alive.mean()),
        "mean_probability_alive": float(probability_alive.mean()),
        "brier_score": float(np.mean((probability_alive - alive) ** 2)),
        "churn_score_auc": float(auc),
    }


def evaluate(
    cal: pd.DataFrame,
    holdout_weeks: float,
    actual: np.ndarray,
    actual_value: np.ndarray | None = None,
) -> dict:
    """Fits MBG/NBD and BG/NBD (+ Gamma-Gamma when values are given) on the calibration
    summary and scores the holdout predictions and the naive baselines."""
    x = cal["frequency"].to_numpy(float)
    t_x = cal["recency_weeks"].to_numpy(float)
    T = np.maximum(cal["t_weeks"].to_numpy(float), 1 / 7)
    result: dict = {
        "customers": int(len(cal)),
        "repeat_customers": int((x > 0).sum()),
        "holdout_weeks": holdout_weeks,
        "purchases": {},
        "value": {},
        "fits": {},
    }
    individual = x / T * holdout_weeks
    population = np.full_like(x, x.sum() / T.sum() * holdout_weeks)
    result["purchases"]["naive_individual_rate"] = errors(individual, actual)
    result["purchases"]["naive_population_rate"] = errors(population, actual)
    spend = None
    if actual_value is not None:
        gg = fit_gamma_gamma(x, cal["monetary_value"].to_numpy(float))
        result["fits"]["gamma_gamma"] = {
            **gg.params,
            "converged": gg.converged,
            "frequency_spend_correlation": gg.frequency_spend_correlation,
        }
        m = cal["monetary_value"].to_numpy(float)
        has_m = np.isfinite(m) & (m > 0)
        spend = gg.expected_spend(np.where(has_m, x, 0.0), np.where(has_m, m, 0.0))
        observed_mean = (cal["total_revenue"] / cal["purchase_days"]).to_numpy(float)
        result["value"]["naive_individual_rate"] = errors(individual * observed_mean, actual_value)
        result["value"]["naive_population_rate"] = errors(population * observed_mean, actual_value)
    fits = {}
    for model in ("mbg_nbd", "bg_nbd"):
        fitted = fit_beta_geo(x, t_x, T, model=model)
        predicted = fitted.expected_purchases(holdout_weeks, x, t_x, T)
        alive = fitted.probability_alive(x, t_x, T)
        result["fits"][model] = {
            **fitted.params,
            "converged": fitted.converged,
            "log_likelihood": fitted.log_likelihood,
            "mean_probability_alive": float(alive.mean()),
            "share_churn_risk_50_or_more": float(np.mean(alive <= 0.5)),
        }
        if "alive_at_t" in cal:
            result["fits"][model]["churn"] = churn_accuracy(alive, cal["alive_at_t"].to_numpy())
        result["purchases"][model] = errors(predicted, actual)
        if spend is not None and actual_value is not None:
            result["value"][f"{model}+gamma_gamma"] = errors(predicted * spend, actual_value)
        fits[model] = fitted
        buckets = pd.DataFrame({"x": np.minimum(x, 7), "actual": actual, "predicted": predicted})
        result["fits"][model]["by_frequency"] = {
            f"{int(k)}{'+' if k == 7 else ''}": {
                "customers": int(len(g)),
                "actual_mean": float(g.actual.mean()),
                "predicted_mean": float(g.predicted.mean()),
            }
            for k, g in buckets.groupby("x")
        }
    gain = fits["bg_nbd"].log_likelihood - fits["mbg_nbd"].log_likelihood
    result["auto_choice"] = "bg_nbd" if gain >= AUTO_MIN_LOG_LIKELIHOOD_GAIN else "mbg_nbd"
    return result


def demo_benchmark(orders: pd.DataFrame, as_of: datetime, holdout_days: int) -> dict:
    cutoff = as_of - timedelta(days=holdout_days)
    cal = summarise_purchases(orders, cutoff)
    later = orders.loc[
        (orders["ordered_at"] > pd.Timestamp(cutoff))
        & (orders["ordered_at"] <= pd.Timestamp(as_of))
    ].copy()
    later["day"] = later["ordered_at"].dt.normalize()
    # A holdout purchase on the calibration's last day would be the same purchase day: dropped.
    per_person = later.groupby("person_id").agg(
        holdout_days=("day", "nunique"), holdout_value=("net_revenue_amount", "sum")
    )
    cal = cal.merge(per_person, how="left", left_on="person_id", right_index=True).fillna(
        {"holdout_days": 0, "holdout_value": 0.0}
    )
    result = evaluate(
        cal,
        holdout_days / 7.0,
        cal["holdout_days"].to_numpy(float),
        cal["holdout_value"].to_numpy(float),
    )
    result["calibration_end"] = cutoff.isoformat()
    result["as_of"] = as_of.isoformat()
    result["new_customers_in_holdout_not_scored"] = int(
        later.loc[~later["person_id"].isin(cal["person_id"]), "person_id"].nunique()
    )
    return result


def synthetic_benchmark(n: int, holdout_weeks: float, seed: int, truth: str) -> dict:
    t_cal = np.random.default_rng(seed).uniform(1, 78, n)  # first purchases spread over 18 months
    data = simulate_customers(
        n, **CDNOW, calibration_weeks=t_cal, holdout_weeks=holdout_weeks, model=truth, seed=seed
    )
    result = evaluate(data, holdout_weeks, data["holdout"].to_numpy(float))
    result["truth"] = {"model": truth, **CDNOW}
    return result


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_table(title: str, result: dict) -> None:
    print(
        f"\n{title}: {result['customers']} customers ({result['repeat_customers']} repeat), "
        f"holdout {result['holdout_weeks']:.1f} weeks"
    )
    for kind in ("purchases", "value"):
        if not result.get(kind):
            continue
        print(
            f"  {kind:<9} {'model':<28}{'MAE/cust':>10}{'RMSE':>9}{'pred total':>12}"
            f"{'actual':>10}{'err %':>8}{'corr':>7}"
        )
        for name, e in result[kind].items():
            print(
                f"  {'':<9} {name:<28}{e['mae_per_customer']:>10.3f}{e['rmse_per_customer']:>9.3f}"
                f"{e['total_predicted']:>12.1f}{e['total_actual']:>10.1f}"
                f"{e['total_error_pct']:>8.1f}{_fmt(e['correlation']):>7}"
            )
    print(f"  auto (the default) keeps {result['auto_choice']}")
    for model in ("mbg_nbd", "bg_nbd"):
        fit = result["fits"][model]
        if "churn" in fit:
            churn = fit["churn"]
            print(
                f"  {model}: share really alive {churn['actual_share_alive']:.3f}, mean P(alive) "
                f"{churn['mean_probability_alive']:.3f}, Brier {churn['brier_score']:.3f}, "
                f"churn-score AUC {churn['churn_score_auc']:.3f}"
            )
        print(
            f"  {model}: r={fit['r']:.3g} alpha={fit['alpha']:.3g} a={fit['a']:.3g} "
            f"b={fit['b']:.3g}  mean P(alive)={fit['mean_probability_alive']:.3f}  "
            f"churn risk >= 50: {100 * fit['share_churn_risk_50_or_more']:.1f}%"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, help="an existing warehouse built by `cdp run`")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2025-06-30T12:00:00")
    parser.add_argument("--holdout-days", type=int, default=182)
    parser.add_argument("--synthetic-customers", type=int, default=5000)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/predictive.json")
    args = parser.parse_args()
    as_of = datetime.fromisoformat(args.as_of).replace(tzinfo=None)

    if args.warehouse:
        warehouse = args.warehouse
        source = {"warehouse": str(warehouse)}
    else:
        root = Path(tempfile.mkdtemp(prefix="cdp-bench-predictive-"))
        print(
            f"Generating {args.people} people (seed {args.seed}) and running the pipeline in {root}"
        )
        warehouse = build_warehouse(root, args.people, args.seed, args.as_of)
        source = {"people": args.people, "seed": args.seed}
    orders = read_orders(warehouse)
    demo = demo_benchmark(orders, as_of, args.holdout_days)
    synthetic = {
        truth: synthetic_benchmark(
            args.synthetic_customers, args.holdout_days / 7.0, args.seed, truth
        )
        for truth in ("bg_nbd", "mbg_nbd")
    }
    print_table("Demo generator (calibration / holdout)", demo)
    for truth, result in synthetic.items():
        print_table(f"Synthetic {truth} base with drop-out (CDNOW parameters)", result)
    report = {
        "command": "benchmarks/predictive.py " + " ".join(sys.argv[1:]),
        "source": source,
        "demo": demo,
        "synthetic": synthetic,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=float) + "\n")
    print(f"\nWritten {args.output}")


if __name__ == "__main__":
    main()
