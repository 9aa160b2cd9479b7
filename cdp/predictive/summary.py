"""The purchase summary of int_purchase_summary, computed in pandas from a list of orders.

The warehouse computes it in dbt (models/intermediate/predictive/int_purchase_summary.sql);
this twin exists for the calibration / holdout benchmark, which must summarise the history as it
stood at an earlier date, and for tests. The two are checked against each other in the e2e
tests, so they cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd


def summarise_purchases(orders: pd.DataFrame, as_of: datetime) -> pd.DataFrame:
    """One row per customer from orders (`person_id`, `ordered_at`, `net_revenue_amount`; not
    cancelled): frequency (repeat purchase days), recency_weeks, t_weeks, monetary_value (mean
    net revenue of repeat purchase days), as in Fader, Hardie & Lee (2005). Orders after `as_of`
    are ignored; days are UTC calendar days."""
    columns = [
        "person_id",
        "frequency",
        "recency_weeks",
        "t_weeks",
        "monetary_value",
        "purchase_days",
        "total_revenue",
    ]
    frame = orders.loc[orders["ordered_at"] <= pd.Timestamp(as_of)].copy()
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["purchase_date"] = pd.to_datetime(frame["ordered_at"]).dt.normalize()
    frame["net_revenue_amount"] = frame["net_revenue_amount"].astype(float)
    days = (
        frame.groupby(["person_id", "purchase_date"], as_index=False)["net_revenue_amount"]
        .sum()
        .sort_values(["person_id", "purchase_date"])
    )
    days["day_number"] = days.groupby("person_id").cumcount() + 1
    as_of_date = pd.Timestamp(as_of).normalize()
    grouped = days.groupby("person_id")
    summary = pd.DataFrame(
        {
            "first": grouped["purchase_date"].min(),
            "last": grouped["purchase_date"].max(),
            "purchase_days": grouped.size(),
            "total_revenue": grouped["net_revenue_amount"].sum(),
        }
    )
    repeat = days.loc[days["day_number"] > 1].groupby("person_id")["net_revenue_amount"].mean()
    summary["monetary_value"] = repeat.reindex(summary.index)
    summary["frequency"] = summary["purchase_days"] - 1
    summary["recency_weeks"] = (summary["last"] - summary["first"]).dt.days / 7.0
    summary["t_weeks"] = (as_of_date - summary["first"]).dt.days / 7.0
    return summary.reset_index()[columns]
