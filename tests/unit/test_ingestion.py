"""Loading landing files into raw tables: lineage, idempotence, replacement, clear rejections."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingestion.loader import load_source
from ingestion.phone_lookup import refresh_lookup
from ingestion.sources import SOURCES

MEMBER_HEADER = (
    "Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,"
    "OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,"
    "LAST_CHANGED,LEID,EUID,NOTES,TAGS"
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    for tool in ("mailchimp", "shopify", "square"):
        (tmp_path / "landing" / tool).mkdir(parents=True)
    return tmp_path / "landing"


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def write_members(landing: Path, name: str, rows: list[str], header: str = MEMBER_HEADER) -> Path:
    path = landing / "mailchimp" / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


MEMBER_ROW = (
    '" Ann@Example.com ",Ann,Lee,,(415) 555-2671,,2,2024-01-01 10:00:00,,,,,,,,,US,CA,'
    '2024-01-02 00:00:00,11,eu1,"two\nlines","""VIP"",""News"""'
)


def test_csv_rows_keep_source_text_and_lineage(landing: Path, conn) -> None:
    write_members(landing, "subscribed_members_export_abc.csv", [MEMBER_ROW])
    report = load_source(conn, SOURCES["mailchimp_members"], landing)

    assert [f.status for f in report.files] == ["loaded"]
    row = conn.execute(
        "select email_address, notes, tags, _member_status, _source_file, _source_row "
        "from raw.mailchimp_members"
    ).fetchone()
    assert row == (
        " Ann@Example.com ",
        "two\nlines",
        '"VIP","News"',
        "subscribed",
        "mailchimp/subscribed_members_export_abc.csv",
        1,
    )


def test_same_file_twice_is_loaded_once(landing: Path, conn) -> None:
    write_members(landing, "subscribed_members_export_abc.csv", [MEMBER_ROW])
    load_source(conn, SOURCES["mailchimp_members"], landing)
    # The same bytes under another name, and the same file again: neither adds rows.
    (landing / "mailchimp" / "subscribed_members_export_copy.csv").write_bytes(
        (landing / "mailchimp" / "subscribed_members_export_abc.csv").read_bytes()
    )
    report = load_source(conn, SOURCES["mailchimp_members"], landing)

    assert sorted(f.status for f in report.files) == ["duplicate", "unchanged"]
    assert conn.execute("select count(*) from raw.mailchimp_members").fetchone()[0] == 1


def test_changed_file_replaces_its_earlier_rows(landing: Path, conn) -> None:
    path = write_members(landing, "subscribed_members_export_abc.csv", [MEMBER_ROW])
    load_source(conn, SOURCES["mailchimp_members"], landing)
    second = MEMBER_ROW.replace("eu1", "eu2")
    write_members(landing, path.name, [MEMBER_ROW, second])
    load_source(conn, SOURCES["mailchimp_members"], landing)

    euids = conn.execute("select euid from raw.mailchimp_members order by euid").fetchall()
    assert euids == [("eu1",), ("eu2",)]


def test_unreadable_redelivery_keeps_the_earlier_version_until_a_readable_one(
    landing: Path, conn
) -> None:
    """A truncated re-export is rejected without emptying the table (and the audiences built on
    it): the earlier version's rows and entry stay, reconciled, with a note that is replaced,
    not repeated, while the bad version stays in the landing folder."""
    from ingestion.audit import reconcile

    write_members(landing, "subscribed_members_export_abc.csv", [MEMBER_ROW])
    load_source(conn, SOURCES["mailchimp_members"], landing)
    truncated = write_members(
        landing, "subscribed_members_export_abc.csv", [MEMBER_ROW, '"bob@example.com,Bob']
    )

    for _ in range(2):
        report = load_source(conn, SOURCES["mailchimp_members"], landing)
        [record] = report.files
        assert record.status == "rejected"
        assert "quoted value is never closed" in record.message
        assert "the 1 row(s) its earlier version loaded" in record.message
        assert conn.execute("select count(*) from raw.mailchimp_members").fetchone() == (1,)
        status, message = conn.execute("select status, message from meta.ingested_files").fetchone()
        assert status == "loaded"
        assert message.count("a newer delivery was rejected") == 1
        assert reconcile(conn, "mailchimp_members").ok

    truncated.write_text(truncated.read_text().replace('"bob', "bob"), encoding="utf-8")
    report = load_source(conn, SOURCES["mailchimp_members"], landing)
    [record] = report.files
    assert (record.status, record.rows_loaded + record.rows_quarantined) == ("loaded", 2)
    assert (
        "newer delivery"
        not in conn.execute("select message from meta.ingested_files").fetchone()[0]
    )
    assert reconcile(conn, "mailchimp_members").ok


def test_run_summary_lists_a_rejected_redelivery_as_rejected(landing: Path, conn) -> None:
    from datetime import datetime

    from cdp.cli.summary import collect

    path = write_members(landing, "subscribed_members_export_abc.csv", [MEMBER_ROW])
    load_source(conn, SOURCES["mailchimp_members"], landing)
    path.write_text(path.read_text() + '"cut off,Bob\n', encoding="utf-8")
    started = datetime(2100, 1, 1)  # after the first load: only the rejection is this run's
    load_source(conn, SOURCES["mailchimp_members"], landing)

    [(_, file, status, _, message)] = collect(conn, started, {}).files
    assert (file, status) == ("mailchimp/subscribed_members_export_abc.csv", "rejected")
    assert "its earlier rows are kept" in message


def test_redelivery_that_duplicates_another_file_gives_up_its_rows(landing: Path, conn) -> None:
    write_members(landing, "a.csv", [MEMBER_ROW])
    write_members(landing, "b.csv", [MEMBER_ROW.replace("Ann@", "Bea@")])
    load_source(conn, SOURCES["mailchimp_members"], landing)
    write_members(landing, "b.csv", [MEMBER_ROW])  # now the same bytes as a.csv

    report = load_source(conn, SOURCES["mailchimp_members"], landing)

    assert [f.status for f in report.files] == ["unchanged", "duplicate"]
    assert conn.execute(
        "select _source_file, count(*) from raw.mailchimp_members group by 1"
    ).fetchall() == [("mailchimp/a.csv", 1)]
    assert reconcile_ok(conn, "mailchimp_members")


def reconcile_ok(conn, table: str) -> bool:
    from ingestion.audit import reconcile

    return reconcile(conn, table).ok


def test_unknown_columns_are_kept_in_extra(landing: Path, conn) -> None:
    write_members(
        landing,
        "subscribed_members_export_x.csv",
        [MEMBER_ROW + ",gold"],
        MEMBER_HEADER + ",Loyalty Tier",
    )
    load_source(conn, SOURCES["mailchimp_members"], landing)

    extra = conn.execute("select _extra from raw.mailchimp_members").fetchone()[0]
    assert json.loads(extra) == {"Loyalty Tier": "gold"}


def test_missing_required_column_rejects_only_that_file(landing: Path, conn) -> None:
    write_members(landing, "subscribed_members_export_good.csv", [MEMBER_ROW])
    bad_header = MEMBER_HEADER.replace(",EUID", "")
    bad_row = MEMBER_ROW.replace("eu1,", "")
    write_members(landing, "unsubscribed_members_export_bad.csv", [bad_row], bad_header)
    report = load_source(conn, SOURCES["mailchimp_members"], landing)

    by_file = {f.file_path: f for f in report.files}
    rejected = by_file["mailchimp/unsubscribed_members_export_bad.csv"]
    assert rejected.status == "rejected"
    assert "missing required column(s) 'EUID'" in rejected.message
    assert by_file["mailchimp/subscribed_members_export_good.csv"].status == "loaded"
    status = conn.execute(
        "select status, message from meta.ingested_files where file_path like '%bad.csv'"
    ).fetchone()
    assert status[0] == "rejected" and "EUID" in status[1]


def test_orders_json_is_flattened_into_orders_lines_and_refunds(landing: Path, conn) -> None:
    orders = {
        "orders": [
            {
                "id": 1001,
                "name": "#1001",
                "total_price": "30.00",
                "customer": {"id": 7, "email_marketing_consent": {"state": "subscribed"}},
                "line_items": [
                    {"id": 1, "title": "Hat", "quantity": 1, "price": "10.00"},
                    {"id": 2, "title": "Scarf", "quantity": 1, "price": "20.00"},
                ],
                "refunds": [
                    {
                        "id": 9,
                        "created_at": "2024-02-01T10:00:00-05:00",
                        "transactions": [
                            {"kind": "refund", "status": "success", "amount": "10.00"},
                            {"kind": "refund", "status": "failure", "amount": "10.00"},
                        ],
                    }
                ],
            },
            {"id": 1002, "name": "#1002", "total_price": "5.00", "line_items": [], "refunds": []},
        ]
    }
    (landing / "shopify" / "orders_0001.json").write_text(json.dumps(orders))
    for table in ("shopify_orders", "shopify_order_line_items", "shopify_order_refunds"):
        load_source(conn, SOURCES[table], landing)

    assert conn.execute(
        "select id, customer__id, customer__email_marketing_consent__state, _source_row "
        "from raw.shopify_orders order by id"
    ).fetchall() == [("1001", "7", "subscribed", 1), ("1002", None, None, 2)]
    assert conn.execute(
        "select order_id, title from raw.shopify_order_line_items order by id"
    ).fetchall() == [("1001", "Hat"), ("1001", "Scarf")]
    assert conn.execute("select order_id, amount from raw.shopify_order_refunds").fetchall() == [
        ("1001", "10.00")
    ]


def test_json_lines_get_line_numbers(landing: Path, conn) -> None:
    lines = [
        {"id": f"e{i}", "name": "page_viewed", "clientId": "c1", "context": {}} for i in range(3)
    ]
    (landing / "shopify" / "web_events_2024-01.jsonl").write_text(
        "\n".join(json.dumps(line) for line in lines) + "\n"
    )
    load_source(conn, SOURCES["shopify_web_events"], landing)

    assert conn.execute(
        "select event_id, _source_row from raw.shopify_web_events order by _source_row"
    ).fetchall() == [("e0", 1), ("e1", 2), ("e2", 3)]


def test_invalid_json_is_rejected_with_the_file_named(landing: Path, conn) -> None:
    (landing / "shopify" / "orders_0002.json").write_text('{"orders": [{"id": 1,')
    report = load_source(conn, SOURCES["shopify_orders"], landing)

    assert report.files[0].status == "rejected"
    assert report.files[0].message


def test_phone_lookup_parses_every_raw_phone_once(landing: Path, conn) -> None:
    write_members(landing, "subscribed_members_export_abc.csv", [MEMBER_ROW])
    load_source(conn, SOURCES["mailchimp_members"], landing)

    assert refresh_lookup(conn, "US") == 1
    assert refresh_lookup(conn, "US") == 0
    assert conn.execute(
        "select raw_phone, phone_e164, is_valid from raw.phone_numbers"
    ).fetchall() == [("(415)555-2671", "+14155552671", True)]  # keyed by the cleaned text
