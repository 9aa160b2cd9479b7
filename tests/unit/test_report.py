"""The report's query layer and page on tiny hand-made warehouses: the numbers it draws, and
"no data yet" panels (not a crash) when tables are empty or missing."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cdp.core.errors import CdpError
from cdp.report import queries
from cdp.report.build import write_report
from cdp.report.charts import SPECS, build_charts
from exports.run_log import ensure_table as ensure_export_runs
from ingestion.manifest import ensure_meta_tables

PROFILE_COLUMNS = """
    person_id varchar, mailchimp_subscriber_id varchar, shopify_customer_id varchar,
    square_customer_id varchar, emails_sent bigint, online_orders bigint, store_orders bigint,
    identifier_count bigint, recency_score integer, frequency_score integer,
    monetary_score integer, total_revenue decimal(18, 2), currency varchar,
    lifecycle_stage varchar, is_customer boolean, email_consent_status varchar,
    is_email_marketable boolean, sms_consent_status varchar, is_sms_marketable boolean
"""


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Every table the report reads, empty, with the columns it uses."""
    conn = duckdb.connect(str(path))
    ensure_meta_tables(conn)  # manifest, raw.quarantined_rows, validation results
    ensure_export_runs(conn)
    conn.execute("create schema marts")
    conn.execute("create schema predictive")
    conn.execute(f"create table marts.profiles ({PROFILE_COLUMNS})")
    conn.execute(
        "create table marts.identity_refused_links (identifier_type varchar, reason varchar)"
    )
    conn.execute(
        "create table marts.identity_merges (event_type varchar, match_type varchar, "
        "occurred_at timestamp)"
    )
    conn.execute("create table marts.identity_graph_health (run_started_at timestamp)")
    conn.execute(
        "create table marts.segment_membership_history (segment_name varchar, "
        "person_id varchar, entered_at timestamp, exited_at timestamp)"
    )
    conn.execute(
        "create table marts.data_quality_warnings (source_table varchar, column_name varchar, "
        "loaded_at timestamp)"
    )
    conn.execute(
        "create table predictive.customer_predictions (person_id varchar, "
        "probability_alive double, expected_purchases_365d double)"
    )
    return conn


def _profile(conn: duckdb.DuckDBPyConnection, person_id: str, **values: object) -> None:
    columns = ["person_id", *values]
    conn.execute(
        f"insert into marts.profiles ({', '.join(columns)}) "
        f"values ({', '.join('?' for _ in columns)})",
        [person_id, *values.values()],
    )


def test_empty_tables_give_no_data_panels_not_a_crash(tmp_path: Path) -> None:
    conn = _warehouse(tmp_path / "cdp.duckdb")
    data = queries.read_report_data(conn)
    assert all(frame.empty for frame in data.frames.values())
    charts = build_charts(data)
    assert [chart.figure for chart in charts] == [None] * len(SPECS)

    result = write_report(conn, tmp_path / "report.html", "cdp.duckdb", datetime(2025, 1, 1))
    page = result.path.read_text()
    assert result.charts == 0 and len(result.empty) == len(SPECS)
    assert 'data-chart-count="0"' in page
    assert page.count("No data yet") == len(SPECS)
    assert 'class="chart"' not in page


def test_missing_tables_are_empty_frames(tmp_path: Path) -> None:
    # A warehouse from before exports and predictions: only the ingestion tables exist.
    conn = duckdb.connect(str(tmp_path / "cdp.duckdb"))
    ensure_meta_tables(conn)
    conn.execute(
        "insert into meta.ingested_files values ('shopify_orders', 'shopify/orders.json', 10, "
        "'abc', 5, 4, 1, 'loaded', null, '2025-01-01 10:00:00'), ('shopify_orders', "
        "'shopify/bad.json', 3, 'def', 0, 0, 0, 'rejected', 'unreadable', '2025-01-01 10:00:00')"
    )
    data = queries.read_report_data(conn)
    assert data.frames["export_changes"].empty and data.frames["tool_overlap"].empty
    ingestion = data.frames["ingestion_per_source"].to_dict("records")
    assert ingestion == [
        {
            "source_table": "shopify_orders",
            "files": 1,
            "rows_loaded": 4,
            "rows_quarantined": 1,
            "files_rejected": 1,
        }
    ]
    assert data.headline.people is None
    assert data.headline.last_run_at == datetime(2025, 1, 1, 10)
    result = write_report(conn, tmp_path / "report.html", "cdp.duckdb")
    assert result.charts == 1 and "People per combination of tools" in result.empty


def test_a_warehouse_never_built_is_a_user_error(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "cdp.duckdb"))
    with pytest.raises(CdpError, match="has not been built yet"):
        write_report(conn, tmp_path / "report.html", "cdp.duckdb")
    assert not (tmp_path / "report.html").exists()


def test_people_per_combination_of_tools(tmp_path: Path) -> None:
    conn = _warehouse(tmp_path / "cdp.duckdb")
    _profile(conn, "p1", mailchimp_subscriber_id="m1", shopify_customer_id="s1")
    _profile(conn, "p2", emails_sent=3, online_orders=1, store_orders=2)  # known by activity
    _profile(conn, "p3", square_customer_id="q1")
    _profile(conn, "p4", emails_sent=0, online_orders=0)  # a web visitor only
    _profile(conn, "p5", mailchimp_subscriber_id="m5", shopify_customer_id="s5")
    frame = queries.tool_overlap(conn, queries.table_names(conn))
    counts = {
        (row.in_mailchimp, row.in_shopify, row.in_square): row.people for row in frame.itertuples()
    }
    assert counts == {
        (True, True, False): 2,
        (True, True, True): 1,
        (False, False, True): 1,
        (False, False, False): 1,
    }
    chart = next(c for c in build_charts(queries.read_report_data(conn)) if c.key == "tool_overlap")
    labels = list(chart.figure.data[0].y)
    assert "Mailchimp + Shopify + Square" in labels and "Square only" in labels
    assert "none of the three (web visits only)" in labels


def test_segment_sizes_and_moves_per_run(tmp_path: Path) -> None:
    conn = _warehouse(tmp_path / "cdp.duckdb")
    run1, run2, run3 = "2025-01-01 00:00:00", "2025-02-01 00:00:00", "2025-03-01 00:00:00"
    conn.executemany(
        "insert into marts.segment_membership_history values ('vip', ?, ?, ?)",
        [
            ["a", run1, None],
            ["b", run1, run2],  # left in run 2
            ["c", run2, None],
            ["d", run2, run3],
            ["b", run3, None],  # came back in run 3
        ],
    )
    frame = queries.segment_history(conn, queries.table_names(conn))
    rows = [(str(r.run_at), r.members, r.entered, r.exited) for r in frame.itertuples(index=False)]
    assert rows == [
        ("2025-01-01 00:00:00", 2, 2, 0),
        ("2025-02-01 00:00:00", 3, 2, 1),
        ("2025-03-01 00:00:00", 3, 1, 1),
    ]


def test_export_runs_follow_the_dbt_run_before_them(tmp_path: Path) -> None:
    conn = _warehouse(tmp_path / "cdp.duckdb")
    conn.execute(
        "insert into marts.identity_graph_health values "
        "('2025-01-01 10:00:00'), ('2025-01-01 10:04:00')"
    )
    exports = [
        # destination, adds, removes, status, started_at: two runs four minutes apart
        ("hubspot", 5, 0, "written", "2025-01-01 10:03:00"),
        ("mailchimp", 7, 0, "written", "2025-01-01 10:03:10"),
        ("hubspot", 1, 2, "written", "2025-01-01 10:06:00"),
        ("hubspot", 0, 0, "failed", "2025-01-01 10:06:05"),
    ]
    conn.executemany(
        "insert into meta.export_runs (destination, segment, rows, segment_size, "
        "refused_rows, status, started_at, finished_at, adds, removes) "
        "values (?, 'vip', 0, 0, 0, ?, ?, ?, ?, ?)",
        [[d, status, at, at, adds, removes] for d, adds, removes, status, at in exports],
    )
    frame = queries.export_changes(conn, queries.table_names(conn))
    rows = [
        (str(r.run_at), r.destination, r.adds, r.removes, r.failed)
        for r in frame.itertuples(index=False)
    ]
    assert rows == [
        ("2025-01-01 10:00:00", "hubspot", 5, 0, 0),
        ("2025-01-01 10:00:00", "mailchimp", 7, 0, 0),
        ("2025-01-01 10:04:00", "hubspot", 1, 2, 1),
    ]
    # Without the dbt runs' log, exports close together are one run.
    conn.execute("drop table marts.identity_graph_health")
    frame = queries.export_changes(conn, queries.table_names(conn))
    assert set(frame["run_at"].astype(str)) == {"2025-01-01 10:03:00"}
    assert frame.groupby("destination")["adds"].sum().to_dict() == {"hubspot": 6, "mailchimp": 7}


def test_predictions_are_binned_in_the_warehouse(tmp_path: Path) -> None:
    conn = _warehouse(tmp_path / "cdp.duckdb")
    conn.executemany(
        "insert into predictive.customer_predictions values (?, ?, ?)",
        [["a", 1.0, 0.2], ["b", 0.97, 0.7], ["c", 0.01, 42.0], ["d", None, None]],
    )
    tables = queries.table_names(conn)
    alive = queries.probability_alive(conn, tables)
    assert alive.to_dict("list") == {"bin_start": [0.0, 0.95], "customers": [1, 2]}
    purchases = queries.expected_purchases(conn, tables)
    assert purchases.to_dict("list") == {
        "bin_start": [0.0, 0.5, queries.PURCHASES_CAP],
        "customers": [1, 1, 1],
    }


def test_quarantine_reasons_are_grouped_by_kind(tmp_path: Path) -> None:
    conn = _warehouse(tmp_path / "cdp.duckdb")
    conn.executemany(
        "insert into raw.quarantined_rows values ('square_customers', 'square/c.csv', 'x', "
        "?, ?, 'text', ?, '2025-01-01')",
        [
            [2, 1, "wrong number of fields: the header has 22, this record has 1"],
            [3, 2, "wrong number of fields: the header has 22, this record has 23"],
            [4, 3, "a stray double quote"],
        ],
    )
    frame = queries.quarantine_reasons(conn, queries.table_names(conn))
    assert sorted(zip(frame["reason"], frame["records"], strict=True)) == [
        ("a stray double quote", 1),
        ("wrong number of fields", 2),
    ]


def test_headline_numbers(tmp_path: Path) -> None:
    conn = _warehouse(tmp_path / "cdp.duckdb")
    _profile(conn, "p1", is_customer=True, total_revenue=120.6, currency="USD")
    _profile(conn, "p2", is_customer=True, total_revenue=30, currency="EUR")
    _profile(conn, "p3", is_customer=False, total_revenue=0)
    conn.execute("create table marts.segment_vip_customers (person_id varchar)")
    conn.execute("insert into marts.identity_graph_health values ('2025-03-01 06:00:00')")
    headline = queries.headline(conn, queries.table_names(conn))
    assert (headline.people, headline.customers, headline.segments) == (3, 2, 1)
    assert headline.revenue == {"USD": 120.6, "EUR": 30.0}
    assert headline.last_run_at == datetime(2025, 3, 1, 6)

    result = write_report(conn, tmp_path / "report.html", "cdp.duckdb")
    page = result.path.read_text()
    assert "121 USD + 30 EUR" in page
    declared = int(re.search(r'data-chart-count="(\d+)"', page).group(1))
    assert declared == result.charts == page.count('class="chart"')
    # plotly.js is inlined once, however many charts there are.
    assert page.count("plotly.js v") == 1
