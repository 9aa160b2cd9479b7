"""Real-world landing files (tests/fixtures/bad_files/<case>/): what loads, what is quarantined,
what is rejected, and the message the user reads, case by case."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion.landing import still_in_landing
from ingestion.loader import TableLoadReport, load_source
from ingestion.sources import SOURCES, unrecognised_files

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_files"
VARIANTS = CASES.parent / "variants"


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    yield connection
    connection.close()


def load_case(conn, case: str, table: str, tmp_path: Path | None = None) -> TableLoadReport:
    landing = CASES / case
    if tmp_path is not None:  # a private copy, for tests that change the files
        landing = shutil.copytree(landing, tmp_path / case)
    return load_source(conn, SOURCES[table], landing)


def only_file(report: TableLoadReport):
    [record] = report.files
    return record


def rows(conn, sql: str, params: list | None = None) -> list[tuple]:
    return conn.execute(sql, params or []).fetchall()


def quarantined(conn) -> list[tuple]:
    return rows(
        conn,
        "select line_number, record_number, raw_text, reason from raw.quarantined_rows "
        "order by record_number",
    )


def failed_expectations(conn) -> dict[tuple[str, str], tuple[int, list]]:
    return {
        (column, expectation.removeprefix("expect_column_values_to_")): (
            count,
            json.loads(sample) if sample else [],
        )
        for column, expectation, count, sample in rows(
            conn,
            "select column_name, expectation, unexpected_count, sample "
            "from meta.validation_results where not success",
        )
    }


def test_empty_file_is_recorded_with_no_rows(conn) -> None:
    record = only_file(load_case(conn, "empty_file", "mailchimp_members"))

    assert (record.status, record.rows_read, record.rows_loaded) == ("loaded", 0, 0)
    assert record.message == "empty file: no records"
    assert rows(conn, "select count(*) from meta.ingested_files") == [(1,)]


def test_header_only_file_loads_nothing_and_says_so(conn) -> None:
    record = only_file(load_case(conn, "header_only", "mailchimp_members"))

    assert (record.status, record.rows_read, record.rows_loaded) == ("loaded", 0, 0)
    assert record.message == "header only: no data rows"


def test_utf8_with_bom_keeps_the_first_header_and_accents(conn) -> None:
    record = only_file(load_case(conn, "utf8_bom", "mailchimp_members"))

    assert (record.status, record.rows_loaded) == ("loaded", 2)
    assert "UTF-8 with byte-order mark" in record.message
    assert rows(
        conn,
        "select email_address, first_name, last_name from raw.mailchimp_members "
        "order by _source_row",
    )[0] == ("zoe@example.com", "Zoë", "Müller")


def test_windows_1252_text_is_transcoded(conn) -> None:
    record = only_file(load_case(conn, "windows_1252", "mailchimp_members"))

    assert (record.status, record.rows_loaded) == ("loaded", 2)
    assert "not UTF-8: read as Windows-1252" in record.message
    assert rows(
        conn, "select first_name, last_name, notes from raw.mailchimp_members order by _source_row"
    )[0] == ("René", "Faßbender", "“VIP” costs 5€")


def test_latin_1_text_is_transcoded(conn) -> None:
    record = only_file(load_case(conn, "latin_1", "square_customers"))

    assert (record.status, record.rows_loaded) == ("loaded", 1)
    assert rows(conn, "select first_name, last_name, memo from raw.square_customers") == [
        ("Zoé", "Ångström", "café ½ price")
    ]


def test_utf16_tab_separated_export_is_read(conn) -> None:
    record = only_file(load_case(conn, "utf16", "square_customers"))

    assert (record.status, record.rows_loaded) == ("loaded", 1)
    assert "UTF-16" in record.message and "delimiter '\\t'" in record.message
    assert rows(conn, "select first_name, square_customer_id from raw.square_customers") == [
        ("Zoë", "SQ1")
    ]


def test_semicolon_delimiter_is_detected_from_the_header(conn) -> None:
    record = only_file(load_case(conn, "semicolon", "square_customers"))

    assert (record.status, record.rows_loaded) == ("loaded", 2)
    assert "delimiter ';'" in record.message
    assert rows(
        conn,
        "select last_name, phone_number, total_spend from raw.square_customers order by 1",
    ) == [("Lee", "+1 415 555 0101", "$1,234.50"), ("Smith; Jr.", None, "$0.00")]


def test_quoted_fields_keep_embedded_newlines_delimiters_and_quotes(conn) -> None:
    record = only_file(load_case(conn, "quoted_fields", "mailchimp_members"))

    assert (record.status, record.rows_read, record.rows_loaded) == ("loaded", 2, 2)
    assert rows(
        conn, "select last_name, notes, tags, _source_row from raw.mailchimp_members order by 4"
    ) == [
        ("Lee", 'likes hats,\nscarves and "gloves"', '"VIP","News"', 1),
        ("Smith, Jr.", "line one\r\nline two", None, 2),
    ]


def test_wrong_field_counts_and_empty_keys_are_quarantined_not_dropped(conn) -> None:
    record = only_file(load_case(conn, "wrong_field_count", "mailchimp_members"))

    assert (record.status, record.rows_read, record.rows_loaded, record.rows_quarantined) == (
        "loaded",
        6,
        3,
        3,
    )
    assert "3 record(s) quarantined" in record.message
    assert quarantined(conn) == [
        (
            3,
            2,
            "bo@example.com,Bo,Smith,2024-01-03 10:00:00,eu2",
            "wrong number of fields: the header has 8, this record has 5",
        ),
        (
            5,
            4,
            "di@example.com,Di,Ray,,2024-01-05 10:00:00,eu4,,,surplus",
            "wrong number of fields: the header has 8, this record has 9",
        ),
        (6, 5, ",Ed,NoEmail,,2024-01-06 10:00:00,eu5,,", "required field 'Email Address' is empty"),
    ]
    # Loaded rows keep their true record numbers although records before them were set aside.
    assert rows(conn, "select euid, _source_row from raw.mailchimp_members order by 2") == [
        ("eu1", 1),
        ("eu3", 3),
        ("eu6", 6),
    ]


def test_unterminated_quote_rejects_the_csv_file(conn) -> None:
    record = only_file(load_case(conn, "truncated_csv", "mailchimp_members"))

    assert record.status == "rejected"
    assert "a quoted value is never closed" in record.message
    assert rows(conn, "select count(*) from raw.mailchimp_members") == [(0,)]


@pytest.mark.parametrize("case", ["json_wrapper", "json_array", "json_lines", "json_pages"])
def test_orders_json_in_every_shape_loads_the_same_rows(conn, case: str) -> None:
    orders = only_file(load_case(conn, case, "shopify_orders"))
    lines = only_file(load_case(conn, case, "shopify_order_line_items"))

    assert (orders.status, orders.rows_loaded, lines.rows_loaded) == ("loaded", 3, 3)
    assert rows(conn, "select id, email, _source_row from raw.shopify_orders order by 1") == [
        ("1000", "c0@example.com", 1),
        ("1001", "c1@example.com", 2),
        ("1002", "c2@example.com", 3),
    ]
    expected_note = {"json_array": "read as a bare JSON array", "json_lines": "read as JSON Lines"}
    assert orders.message == expected_note.get(case, "")


def test_web_events_in_a_wrapper_object_are_read(conn) -> None:
    record = only_file(load_case(conn, "events_wrapper", "shopify_web_events"))

    assert (record.status, record.rows_loaded) == ("loaded", 2)
    assert record.message == "read as wrapper object"


def test_wrapper_without_the_expected_key_is_rejected_naming_it(conn) -> None:
    record = only_file(load_case(conn, "no_root_key", "shopify_orders"))

    assert record.status == "rejected"
    assert "no top-level key 'orders'" in record.message


def test_truncated_json_document_is_rejected_with_the_position(conn) -> None:
    record = only_file(load_case(conn, "truncated_json", "shopify_orders"))

    assert record.status == "rejected"
    assert record.message.startswith("invalid JSON (truncated or malformed)")
    assert "at byte 301" in record.message
    assert rows(conn, "select count(*) from raw.shopify_orders") == [(0,)]


def test_bad_json_lines_are_quarantined_with_line_and_text(conn) -> None:
    record = only_file(load_case(conn, "invalid_json_lines", "shopify_web_events"))

    # 7 lines: one blank (not a record), two good, one truncated, one array, one without id.
    assert (record.rows_read, record.rows_loaded, record.rows_quarantined) == (6, 3, 3)
    reasons = [(line, reason) for line, _, _, reason in quarantined(conn)]
    assert reasons == [
        (2, "invalid JSON"),
        (5, "not a JSON object"),
        (6, "missing natural key event_id ($.id)"),
    ]
    assert quarantined(conn)[0][2] == '{"id": "e2", "name": "page_viewed", "timest'
    assert rows(conn, "select event_id, _source_row from raw.shopify_web_events order by 2") == [
        ("e1", 1),
        ("e3", 4),
        ("e6", 7),
    ]


def test_unknown_columns_are_kept_and_reported(conn) -> None:
    record = only_file(load_case(conn, "extra_columns", "square_customers"))

    assert record.status == "loaded"
    assert "2 unknown column(s) kept in _extra: 'Loyalty Tier', 'Favourite Store'" in record.message
    [(extra,)] = rows(conn, "select _extra from raw.square_customers")
    assert json.loads(extra) == {"Loyalty Tier": "gold", "Favourite Store": "Main St"}


def test_missing_required_column_rejects_only_that_file(conn) -> None:
    report = load_case(conn, "missing_column", "square_customers")

    by_file = {f.file_path: f for f in report.files}
    assert by_file["square/customers-good.csv"].status == "loaded"
    bad = by_file["square/customers-nokey.csv"]
    assert bad.status == "rejected"
    assert "missing required column(s) 'Square Customer ID'" in bad.message


def test_dates_and_time_zones_load_as_text_and_unparseable_ones_are_flagged(conn) -> None:
    record = only_file(load_case(conn, "dates_and_zones", "square_transactions"))

    assert (record.status, record.rows_loaded) == ("loaded", 5)
    assert rows(
        conn,
        "select date, time, time_zone from raw.square_transactions where transaction_id = 'T2'",
    ) == [("3/5/2024", "9:02", "Pacific Time (US & Canada)")]
    failed = failed_expectations(conn)
    assert failed[("date", "match_regex")] == (2, ["05.03.2024", "2024-03-05T14:02:11Z"])
    assert failed[("time", "match_regex")] == (1, ["2pm"])
    assert failed[("time_zone", "be_in_set")] == (1, ["Central European Time"])
    assert "3 of 13 expectations failed" in record.message


def test_money_with_symbols_and_separators_loads_and_decimal_commas_are_flagged(conn) -> None:
    record = only_file(load_case(conn, "money", "square_transactions"))

    assert (record.status, record.rows_loaded) == ("loaded", 6)
    assert rows(conn, "select gross_sales from raw.square_transactions order by _source_row") == [
        ("$1,234.50",),
        ("€12.00",),
        ("-$5.00",),
        ("($5.00)",),
        ("1.234,50 €",),
        ("£7",),
    ]
    failed = failed_expectations(conn)
    assert set(failed) == {
        ("gross_sales", "match_regex"),
        ("net_sales", "match_regex"),
        ("total_collected", "match_regex"),
    }
    assert failed[("gross_sales", "match_regex")] == (1, ["1.234,50 €"])


def test_duplicate_rows_inside_a_file_are_all_loaded_and_reported(conn) -> None:
    record = only_file(load_case(conn, "duplicate_rows", "square_customers"))

    assert (record.rows_read, record.rows_loaded, record.rows_quarantined) == (4, 4, 0)
    assert "2 duplicate row(s) of the natural key (square_customer_id)" in record.message


def test_corrected_re_export_under_a_new_name_is_reported_as_superseding(
    conn, tmp_path: Path
) -> None:
    load_case(conn, "duplicate_rows", "square_customers", tmp_path)
    landing = tmp_path / "duplicate_rows"
    (landing / "square" / "customers-dupes-corrected.csv").write_text(
        "First Name,Last Name,Email Address,Square Customer ID\nAnn,Lee,ann@fixed.example.com,SQ1\n"
    )
    report = load_source(conn, SOURCES["square_customers"], landing)

    by_file = {f.file_path: f for f in report.files}
    assert by_file["square/customers-dupes.csv"].status == "unchanged"
    corrected = by_file["square/customers-dupes-corrected.csv"]
    assert "1 row(s) re-deliver natural keys loaded from earlier files" in corrected.message
    # Raw keeps both deliveries (lineage); staging keeps the latest load per natural key.
    assert rows(conn, "select count(*) from raw.square_customers where square_customer_id = 'SQ1'")[
        0
    ] == (4,)


def test_one_validation_pass_still_judges_each_file_on_its_own(conn, tmp_path: Path) -> None:
    """Files of one table are validated together (one Great Expectations run per table and
    run), yet each file keeps its own counts, samples and failure summary."""
    landing = tmp_path / "landing"
    (landing / "square").mkdir(parents=True)
    for case in ("dates_and_zones", "money"):
        [source] = (CASES / case / "square").glob("*.csv")
        shutil.copy(source, landing / "square" / f"transactions-{case}.csv")

    report = load_source(conn, SOURCES["square_transactions"], landing)

    by_file = {f.file_path: f for f in report.files}
    dates = by_file["square/transactions-dates_and_zones.csv"]
    money = by_file["square/transactions-money.csv"]
    assert "3 of 13 expectations failed" in dates.message
    assert "gross_sales match_regex (1 rows)" in money.message
    assert "date match_regex" not in money.message
    results = rows(
        conn,
        "select file_path, column_name, expectation, element_count, unexpected_count, sample "
        "from meta.validation_results where not success order by 1, 2, 3",
    )
    failures = [
        (Path(file).name, column, expectation.removeprefix("expect_column_values_to_"), n, bad)
        for file, column, expectation, n, bad, _ in results
    ]
    assert failures == [
        ("transactions-dates_and_zones.csv", "date", "match_regex", 5, 2),
        ("transactions-dates_and_zones.csv", "time", "match_regex", 5, 1),
        ("transactions-dates_and_zones.csv", "time_zone", "be_in_set", 5, 1),
        ("transactions-money.csv", "gross_sales", "match_regex", 6, 1),
        ("transactions-money.csv", "net_sales", "match_regex", 6, 1),
        ("transactions-money.csv", "total_collected", "match_regex", 6, 1),
    ]
    assert json.loads(results[0][5]) == ["05.03.2024", "2024-03-05T14:02:11Z"]
    assert rows(
        conn,
        "select file_path, count(*) from meta.validation_results group by 1 order by 1",
    ) == [
        ("square/transactions-dates_and_zones.csv", 13),
        ("square/transactions-money.csv", 13),
    ]


def test_tool_folders_are_found_in_any_case_or_spacing(conn, tmp_path: Path) -> None:
    """`Square/`, `SQUARE/` or `Mail Chimp/`, as people and sync tools name folders: the files
    load, and none is reported as unrecognised."""
    landing = tmp_path / "landing"
    for folder, case in (("Square", "missing_column"), ("SQUARE ", "duplicate_rows")):
        (landing / folder).mkdir(parents=True)
        [source] = (CASES / case / "square").glob("customers-[gd]*.csv")
        shutil.copy(source, landing / folder / f"customers-{case}.csv")

    report = load_source(conn, SOURCES["square_customers"], landing)

    assert sorted((f.file_path, f.status) for f in report.files) == [
        ("SQUARE /customers-duplicate_rows.csv", "loaded"),
        ("Square/customers-missing_column.csv", "loaded"),
    ]
    assert unrecognised_files(landing) == []


def test_a_file_taken_for_its_header_still_counts_as_in_the_landing_folder(tmp_path: Path) -> None:
    """Runs judge the landing folder as it is now: a file recognised by its header (its name
    matches no pattern) is still there until it is removed, and belongs to its source only."""
    landing = shutil.copytree(VARIANTS / "square_unnamed_file", tmp_path / "landing")
    relative = "square/export-20240305-1412.csv"

    assert still_in_landing(landing, "square_customers", relative)
    assert not still_in_landing(landing, "square_transactions", relative)
    (landing / relative).unlink()
    assert not still_in_landing(landing, "square_customers", relative)
