"""Reading the purchase summary from, and writing predictions to, the warehouse.

DuckDB only for now: this is the one engine-specific part of the predictive traits (the dbt
models around it are portable). On Spark the same functions would read the summary with
`spark.table(...).toPandas()` and write with `createDataFrame(...).write.saveAsTable(...)`.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from cdp.predictive.scoring import PredictionRun

SUMMARY_RELATION = "intermediate.int_purchase_summary"
PREDICTIONS_SCHEMA = "predictive"
PREDICTIONS_TABLE = f"{PREDICTIONS_SCHEMA}.customer_predictions"
FITS_TABLE = f"{PREDICTIONS_SCHEMA}.model_fits"


def read_purchase_summary(
    conn: duckdb.DuckDBPyConnection, relation: str = SUMMARY_RELATION
) -> pd.DataFrame:
    return conn.execute(f"select * from {relation}").df()


def write_predictions(conn: duckdb.DuckDBPyConnection, run: PredictionRun) -> int:
    """Replaces predictive.customer_predictions and appends the fit to predictive.model_fits."""
    conn.execute(f"create schema if not exists {PREDICTIONS_SCHEMA}")
    predictions = run.predictions  # noqa: F841  (read by DuckDB by name)
    conn.execute(
        f"""
        create or replace table {PREDICTIONS_TABLE} as
        select
            cast(person_id as varchar) as person_id,
            cast(frequency as integer) as frequency,
            cast(recency_weeks as double) as recency_weeks,
            cast(t_weeks as double) as t_weeks,
            cast(monetary_value as double) as monetary_value,
            cast(probability_alive as double) as probability_alive,
            cast(churn_risk_score as integer) as churn_risk_score,
            cast(expected_purchases_90d as double) as expected_purchases_90d,
            cast(expected_purchases_365d as double) as expected_purchases_365d,
            cast(expected_average_order_value as double) as expected_average_order_value,
            cast(expected_value_90d as double) as expected_value_90d,
            cast(expected_value_365d as double) as expected_value_365d,
            cast(model_name as varchar) as model_name,
            cast(as_of_at as timestamp) as as_of_at,
            cast(fitted_at as timestamp) as fitted_at
        from predictions
        """
    )
    conn.execute(
        f"""
        create table if not exists {FITS_TABLE} (
            fitted_at timestamp, as_of_at timestamp, model_name varchar, customers integer,
            repeat_customers integer, params varchar, purchase_log_likelihood double,
            spend_log_likelihood double, notes varchar
        )
        """
    )
    as_of = run.predictions["as_of_at"].dropna()
    conn.execute(
        f"insert into {FITS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.fitted_at,
            as_of.iloc[0] if len(as_of) else None,
            run.model_name,
            len(run.predictions),
            int((run.predictions["frequency"] > 0).sum()),
            json.dumps(run.params, sort_keys=True),
            run.purchase_model.log_likelihood if run.purchase_model else None,
            run.spend_model.log_likelihood if run.spend_model else None,
            "; ".join(run.notes),
        ],
    )
    [(rows,)] = conn.execute(f"select count(*) from {PREDICTIONS_TABLE}").fetchall()
    return int(rows)
