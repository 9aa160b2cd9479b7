"""The report's questions to the warehouse, each answered as one tidy, already aggregated frame.

Aggregation happens in DuckDB, so the report stays small on a 100k-person warehouse: charts get
counts per bin, never one row per person. A table that is missing (a warehouse built before it
existed, a step that never ran) gives an empty frame with the same columns, which the charts
turn into a "no data yet" panel instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pandas as pd

from cdp.core.warehouse import table_names
from cdp.predictive.warehouse import PREDICTIONS_TABLE
from exports.run_log import EXPORT_RUNS_TABLE
from ingestion.manifest import MANIFEST_TABLE
from ingestion.quarantine import QUARANTINE_TABLE

PROFILES = "marts.profiles"
REFUSED_LINKS = "marts.identity_refused_links"
MERGES = "marts.identity_merges"
GRAPH_HEALTH = "marts.identity_graph_health"
MEMBERSHIP_HISTORY = "marts.segment_membership_history"
QUALITY_WARNINGS = "marts.data_quality_warnings"

EXPORT_RUN_GAP_MINUTES = 10
"""Exports of one pipeline run start seconds apart; a longer pause means the next run."""
PROBABILITY_BIN = 0.05
PURCHASES_BIN = 0.5
PURCHASES_CAP = 10.0
"""Expected purchases from PURCHASES_CAP up fall in one last bin: a few heavy buyers would
otherwise stretch the axis until the bulk of customers is one bar."""


@dataclass(frozen=True)
class Headline:
    """The numbers on top of the report."""

    people: int | None
    customers: int | None
    revenue: dict[str, float]
    """Net revenue per currency (profiles.total_revenue), largest first."""
    segments: int
    last_run_at: datetime | None
    """The latest moment the warehouse shows activity: a dbt run, a load or an export (UTC)."""


@dataclass(frozen=True)
class ReportData:
    """Everything the report draws, read in one pass over the warehouse."""

    headline: Headline
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def _query(
    conn: duckdb.DuckDBPyConnection,
    tables: set[str],
    needs: tuple[str, ...],
    sql: str,
    columns: list[str],
) -> pd.DataFrame:
    """The result of `sql`, or an empty frame with `columns` when a table it reads is missing."""
    if not set(needs) <= tables:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
    frame = conn.execute(sql).df()
    frame.columns = columns
    return frame


def tool_overlap(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    """People per combination of the tools that know them: a directory record or activity."""
    return _query(
        conn,
        tables,
        (PROFILES,),
        f"""
        with known as (
            select
                mailchimp_subscriber_id is not null or coalesce(emails_sent, 0) > 0
                    as in_mailchimp,
                shopify_customer_id is not null or coalesce(online_orders, 0) > 0 as in_shopify,
                square_customer_id is not null or coalesce(store_orders, 0) > 0 as in_square
            from {PROFILES}
        )
        select in_mailchimp, in_shopify, in_square, count(*) as people
        from known
        group by all
        """,
        ["in_mailchimp", "in_shopify", "in_square", "people"],
    )


def person_sizes(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    return _query(
        conn,
        tables,
        (PROFILES,),
        f"select identifier_count, count(*) from {PROFILES} group by 1 order by 1",
        ["identifiers", "people"],
    )


def refused_links(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    return _query(
        conn,
        tables,
        (REFUSED_LINKS,),
        f"select reason, count(*) from {REFUSED_LINKS} group by 1 order by 2 desc",
        ["guard", "identifiers"],
    )


def merges_per_run(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    return _query(
        conn,
        tables,
        (MERGES,),
        f"""
        select
            occurred_at,
            case
                when event_type = 'split' then 'split'
                when match_type is null then 'merge'
                else 'merge (' || match_type || ')'
            end as event,
            count(*)
        from {MERGES}
        group by all
        order by 1, 2
        """,
        ["run_at", "event", "events"],
    )


def segment_history(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    """Members of each segment after every run that moved someone, and who entered and left.

    Runs are the as_of moments in the membership history (entries and exits are stamped with
    the run's as_of), so a run that changed no segment does not appear."""
    return _query(
        conn,
        tables,
        (MEMBERSHIP_HISTORY,),
        f"""
        with history as (
            select * from {MEMBERSHIP_HISTORY}
        ),
        moves as (
            select segment_name, entered_at as run_at, 1 as entered, 0 as exited from history
            union all
            select segment_name, exited_at, 0, 1 from history where exited_at is not null
        ),
        runs as (
            select distinct run_at from moves
        ),
        segments as (
            select distinct segment_name from history
        ),
        sizes as (
            select segments.segment_name, runs.run_at, count(history.person_id) as members
            from segments
            cross join runs
            left join history
                on history.segment_name = segments.segment_name
                and history.entered_at <= runs.run_at
                and (history.exited_at is null or history.exited_at > runs.run_at)
            group by all
        ),
        changes as (
            select segment_name, run_at, sum(entered) as entered, sum(exited) as exited
            from moves
            group by all
        )
        select
            sizes.segment_name,
            sizes.run_at,
            sizes.members,
            cast(coalesce(changes.entered, 0) as bigint),
            cast(coalesce(changes.exited, 0) as bigint)
        from sizes
        left join changes
            on sizes.segment_name = changes.segment_name and sizes.run_at = changes.run_at
        order by 1, 2
        """,
        ["segment", "run_at", "members", "entered", "exited"],
    )


def rfm_grid(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    return _query(
        conn,
        tables,
        (PROFILES,),
        f"""
        select
            recency_score,
            frequency_score,
            count(*),
            avg(monetary_score),
            sum(total_revenue)
        from {PROFILES}
        where recency_score is not null and frequency_score is not null
        group by all
        """,
        ["recency_score", "frequency_score", "customers", "mean_monetary_score", "revenue"],
    )


def lifecycle_stages(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    return _query(
        conn,
        tables,
        (PROFILES,),
        f"select lifecycle_stage, count(*) from {PROFILES} group by 1",
        ["stage", "people"],
    )


def consent_coverage(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    """People per channel and consent status, split by whether they may be messaged now."""
    return _query(
        conn,
        tables,
        (PROFILES,),
        f"""
        select 'email', coalesce(email_consent_status, 'unknown'),
            coalesce(is_email_marketable, false), count(*)
        from {PROFILES}
        group by all
        union all
        select 'sms', coalesce(sms_consent_status, 'unknown'),
            coalesce(is_sms_marketable, false), count(*)
        from {PROFILES}
        group by all
        """,
        ["channel", "status", "is_marketable", "people"],
    )


def probability_alive(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    bins = round(1 / PROBABILITY_BIN)
    return _query(
        conn,
        tables,
        (PREDICTIONS_TABLE,),
        f"""
        select least(floor(probability_alive * {bins}), {bins - 1}) / {bins}, count(*)
        from {PREDICTIONS_TABLE}
        where probability_alive is not null
        group by 1
        order by 1
        """,
        ["bin_start", "customers"],
    )


def expected_purchases(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    return _query(
        conn,
        tables,
        (PREDICTIONS_TABLE,),
        f"""
        select
            least(floor(expected_purchases_365d / {PURCHASES_BIN}) * {PURCHASES_BIN},
                {PURCHASES_CAP}),
            count(*)
        from {PREDICTIONS_TABLE}
        where expected_purchases_365d is not null
        group by 1
        order by 1
        """,
        ["bin_start", "customers"],
    )


def ingestion_per_source(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    """Files, rows loaded and quarantined, and files rejected, per raw table."""
    return _query(
        conn,
        tables,
        (MANIFEST_TABLE,),
        f"""
        select
            source_table,
            count(*) filter (where status <> 'rejected'),
            cast(coalesce(sum(rows_loaded) filter (where status <> 'rejected'), 0) as bigint),
            cast(coalesce(sum(rows_quarantined) filter (where status <> 'rejected'), 0) as bigint),
            count(*) filter (where status = 'rejected')
        from {MANIFEST_TABLE}
        group by 1
        order by 1
        """,
        ["source_table", "files", "rows_loaded", "rows_quarantined", "files_rejected"],
    )


def quarantine_reasons(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    return _query(
        conn,
        tables,
        (QUARANTINE_TABLE,),
        f"""
        select
            source_table,
            source_file,
            -- the kind of problem, without the record's own numbers (header has 22, record 23)
            trim(split_part(split_part(reason, ';', 1), ':', 1)),
            count(*)
        from {QUARANTINE_TABLE}
        group by all
        order by 4 desc, 2, 3
        """,
        ["source_table", "file", "reason", "records"],
    )


def warnings_per_load(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    """Unknown vocabulary values by the load that brought their file, and their column."""
    return _query(
        conn,
        tables,
        (QUALITY_WARNINGS,),
        f"""
        select
            date_trunc('minute', loaded_at),
            source_table || '.' || column_name,
            count(*)
        from {QUALITY_WARNINGS}
        group by all
        order by 1, 2
        """,
        ["loaded_at", "column", "warnings"],
    )


def export_changes(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> pd.DataFrame:
    """Adds and removes per destination and run, a run labelled by its start.

    An export belongs to the latest dbt run started before it (identity_graph_health keeps one
    row per run). Without that table, exports that started within EXPORT_RUN_GAP_MINUTES of
    each other are one run, labelled by the first one's start."""
    dbt_runs = (
        f"select run_started_at as run_at from {GRAPH_HEALTH}"
        if GRAPH_HEALTH in tables
        else "select cast(null as timestamp) as run_at where false"
    )
    return _query(
        conn,
        tables,
        (EXPORT_RUNS_TABLE,),
        f"""
        with exports as (
            select
                destination,
                started_at,
                coalesce(adds, 0) as adds,
                coalesce(removes, 0) as removes,
                status,
                lag(started_at) over (order by started_at) as previous_started_at
            from {EXPORT_RUNS_TABLE}
        ),
        dbt_runs as (
            {dbt_runs}
        ),
        marked as (
            select
                *,
                case
                    when previous_started_at is null
                        or started_at - previous_started_at
                            > interval {EXPORT_RUN_GAP_MINUTES} minute
                    then 1 else 0
                end as starts_run
            from exports
        ),
        numbered as (
            select
                *,
                sum(starts_run) over (order by started_at rows unbounded preceding) as gap_run
            from marked
        ),
        by_gap as (
            select *, min(started_at) over (partition by gap_run) as gap_run_at
            from numbered
        ),
        assigned as (
            select by_gap.*, coalesce(dbt_runs.run_at, by_gap.gap_run_at) as run_at
            from by_gap
            asof left join dbt_runs on by_gap.started_at >= dbt_runs.run_at
        )
        select
            run_at,
            destination,
            cast(sum(adds) as bigint),
            cast(sum(removes) as bigint),
            count(*) filter (where status = 'failed')
        from assigned
        group by all
        order by 1, 2
        """,
        ["run_at", "destination", "adds", "removes", "failed"],
    )


FRAMES: dict[str, Callable[[duckdb.DuckDBPyConnection, set[str]], pd.DataFrame]] = {
    "tool_overlap": tool_overlap,
    "person_sizes": person_sizes,
    "refused_links": refused_links,
    "merges_per_run": merges_per_run,
    "segment_history": segment_history,
    "rfm_grid": rfm_grid,
    "lifecycle_stages": lifecycle_stages,
    "consent_coverage": consent_coverage,
    "probability_alive": probability_alive,
    "expected_purchases": expected_purchases,
    "ingestion_per_source": ingestion_per_source,
    "quarantine_reasons": quarantine_reasons,
    "warnings_per_load": warnings_per_load,
    "export_changes": export_changes,
}
"""Every frame of the report, by the name the charts look it up with."""


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str) -> object:
    [(value,)] = conn.execute(sql).fetchall()
    return value


def headline(conn: duckdb.DuckDBPyConnection, tables: set[str]) -> Headline:
    people = customers = None
    revenue: dict[str, float] = {}
    if PROFILES in tables:
        people, customers = conn.execute(
            f"select count(*), count(*) filter (where is_customer) from {PROFILES}"
        ).fetchone()
        revenue = {
            currency or "—": float(total)
            for currency, total in conn.execute(
                f"select currency, sum(total_revenue) from {PROFILES} "
                "where total_revenue is not null group by 1 order by 2 desc"
            ).fetchall()
            if total  # people with no order carry no currency and no revenue
        }
    segments = {
        name
        for name in tables
        if name.startswith("marts.segment_")
        and name not in (MEMBERSHIP_HISTORY, "marts.segment_memberships")
    }
    moments = [
        _scalar(conn, f"select max({column}) from {table}")
        for table, column in (
            (GRAPH_HEALTH, "run_started_at"),
            (MANIFEST_TABLE, "loaded_at"),
            (EXPORT_RUNS_TABLE, "finished_at"),
        )
        if table in tables
    ]
    return Headline(
        people=people,
        customers=customers,
        revenue=revenue,
        segments=len(segments),
        last_run_at=max((m for m in moments if m is not None), default=None),
    )


def read_report_data(conn: duckdb.DuckDBPyConnection) -> ReportData:
    """Reads every frame and the headline; only reads, so a read-only connection is enough."""
    tables = table_names(conn)
    return ReportData(
        headline=headline(conn, tables),
        frames={name: read(conn, tables) for name, read in FRAMES.items()},
    )
