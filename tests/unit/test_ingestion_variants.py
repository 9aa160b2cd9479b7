"""Exports as the tools really write them (tests/fixtures/variants/<variant>/<tool>/<file>, built
from each tool's documentation: see the README there). Each variant is loaded through the real
loader into a throwaway warehouse; the test asserts what a user would notice: what loaded, into
which canonical raw columns, what the file's message says, and what is reported as not loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from cdp.core.identifier_hygiene import normalise_email
from cdp.core.phone_numbers import to_e164
from ingestion.loader import load_source
from ingestion.recognition import describe_unrecognised
from ingestion.sources import SOURCES, unrecognised_files

VARIANTS = Path(__file__).resolve().parents[1] / "fixtures" / "variants"


@dataclass
class Variant:
    name: str
    loads: dict[str, tuple[str, int]]
    """raw table → (status of its one file, rows loaded)."""
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    """SQL over the raw tables → the rows it must return."""
    message: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """raw table → texts its file's message must contain."""
    not_loaded: tuple[str, ...] = ()
    """Texts the not-loaded report of the folder must contain (empty: nothing unrecognised)."""


CASES = [
    Variant(
        "square_status_any_case",
        {"square_customers": ("loaded", 6)},
        {
            "select email_subscription_status from raw.square_customers order by _source_row": [
                ("subscribed",),
                ("UNSUBSCRIBED",),
                ("Unknown",),
                (None,),
                ("Subscribed",),
                (" unsubscribed ",),
            ]
        },
    ),
    Variant(
        "square_email_unsubscribed",
        {"square_customers": ("loaded", 4)},
        {
            "select email_unsubscribed, email_subscription_status from raw.square_customers "
            "order by _source_row": [("True", None), ("False", None), ("TRUE", None), (None, None)]
        },
    ),
    Variant(
        "square_api_field_names",
        {"square_customers": ("loaded", 3)},
        {
            "select first_name is not null, last_name is not null, city is not null, "
            "state is not null, memo, reference_id from raw.square_customers "
            "order by _source_row limit 1": [(True, True, True, True, "Prefers pickup", "CRM-100")]
        },
        {"square_customers": ("'Given Name' as 'First Name'", "'Locality' as 'City'")},
    ),
    Variant(
        "square_header_case_punctuation",
        {"square_customers": ("loaded", 3)},
        {
            "select count(square_customer_id), count(email_address), "
            "count(email_subscription_status) from raw.square_customers": [(3, 3, 3)]
        },
    ),
    Variant(
        "square_unnamed_file",
        {"square_customers": ("loaded", 3)},
        message={
            "square_customers": (
                "recognised by its header as square_customers",
                "'export-20240305-1412.csv' matches no known file pattern",
            )
        },
    ),
    Variant(
        "square_missing_key_column",
        {"square_customers": ("rejected", 0)},
        message={
            "square_customers": (
                "missing required column(s) 'Square Customer ID' for square_customers",
                "nearest known format: Square customer directory export (square_customers) "
                "(missing required 'Square Customer ID'; 1 unknown column(s): 'Customer ID')",
            )
        },
    ),
    Variant(
        "square_items_named_as_transactions",
        {"square_transactions": ("rejected", 0)},
        message={
            "square_transactions": (
                "the header is that of Square item details export (square_items)",
                "name the file like items-*.csv",
            )
        },
    ),
    Variant(
        "square_unknown_header",
        {},
        not_loaded=(
            "square/loyalty-members.csv: named like no export of the square/ folder",
            "shares no column with any known format",
            "'Member Number', 'Points Balance'",
        ),
    ),
    Variant(
        "shopify_customers_2019_export",
        {"shopify_customers": ("loaded", 4)},
        {
            "select customer_id, accepts_marketing, accepts_email_marketing, "
            "default_address_province, default_address_country_code, "
            "left(default_address_zip, 1) from raw.shopify_customers "
            "order by _source_row limit 2": [
                (None, "yes", None, "New York", "US", "'"),
                (None, "no", None, "New York", "US", "'"),
            ]
        },
        {"shopify_customers": ("'Address1' as 'Default Address Address1'",)},
    ),
    Variant(
        "shopify_customers_current_export",
        {"shopify_customers": ("loaded", 4)},
        {
            "select customer_id, accepts_email_marketing, accepts_sms_marketing "
            "from raw.shopify_customers order by _source_row": [
                ("'7614304534787", "yes", "yes"),
                ("'7614304534788", "no", "yes"),
                ("'7614304534789", "yes", "no"),
                ("'7614304534790", "no", "no"),
            ]
        },
    ),
    Variant(
        "shopify_customers_import_template",
        {"shopify_customers": ("loaded", 2)},
        {"select count(*) from raw.shopify_customers where customer_id is null": [(2,)]},
    ),
    Variant(
        "orders_rest_page",
        {
            "shopify_orders": ("loaded", 3),
            "shopify_order_line_items": ("loaded", 3),
            "shopify_order_refunds": ("loaded", 0),
        },
        {"select min(id), max(currency) from raw.shopify_orders": [("5510000000", "USD")]},
    ),
    Variant(
        "orders_bare_array",
        {"shopify_orders": ("loaded", 3), "shopify_order_line_items": ("loaded", 3)},
        message={"shopify_orders": ("read as a bare JSON array",)},
    ),
    Variant(
        "orders_graphql_bulk",
        {
            "shopify_orders": ("loaded", 3),
            "shopify_order_line_items": ("loaded", 6),
            "shopify_order_refunds": ("loaded", 1),
        },
        {
            "select id, name, created_at, currency, financial_status, total_price, "
            "customer__id, customer__email_marketing_consent__state, billing_address__country_code "
            "from raw.shopify_orders order by _source_row limit 1": [
                (
                    "gid://shopify/Order/5520000000",
                    "#2001",
                    "2024-03-06T09:15:00Z",
                    "USD",
                    "PARTIALLY_REFUNDED",
                    "64.80",
                    "gid://shopify/Customer/7614304534900",
                    "SUBSCRIBED",
                    "US",
                ),
            ],
            "select order_id, id, sku, quantity, price, product_id from "
            "raw.shopify_order_line_items order by _source_row limit 1": [
                (
                    "gid://shopify/Order/5520000000",
                    "gid://shopify/LineItem/13500000000",
                    "TEE-0",
                    "1",
                    "20.00",
                    "gid://shopify/Product/8900000000",
                ),
            ],
            "select order_id, refund_id, amount from raw.shopify_order_refunds": [
                ("gid://shopify/Order/5520000000", "gid://shopify/Refund/9900000000", "20.00"),
            ],
            # No line item ever loads as an order.
            "select count(*) from raw.shopify_orders where id like '%LineItem%'": [(0,)],
        },
        {
            "shopify_orders": ("6 record(s) of other kinds skipped here",),
            "shopify_order_line_items": ("read as Shopify GraphQL bulk operation line items",),
        },
    ),
    Variant(
        "orders_graphql_bulk_2025",
        {"shopify_orders": ("loaded", 2), "shopify_order_line_items": ("loaded", 4)},
        {
            "select customer__email is not null, customer__phone like '+1(%', "
            "customer__email_marketing_consent__state, customer__sms_marketing_consent__state "
            "from raw.shopify_orders order by _source_row limit 1": [
                (True, True, "SUBSCRIBED", "NOT_SUBSCRIBED")
            ]
        },
    ),
    Variant(
        "segment_json_lines",
        {"shopify_web_events": ("loaded", 6)},
        {
            "select event_id, event_type, event_name, page_name, client_id is not null, user_id, "
            "traits_email from raw.shopify_web_events order by _source_row": [
                ("seg-0001", "page", None, "Home", True, None, None),
                ("seg-0002", "track", "Product Viewed", None, True, None, None),
                ("seg-0003", "track", "Product Added", None, True, None, None),
                (
                    "seg-0004",
                    "identify",
                    None,
                    None,
                    True,
                    "maria.lopez@example.org",
                    "maria.lopez@example.org",
                ),
                (
                    "seg-0005",
                    "track",
                    "Order Completed",
                    None,
                    True,
                    "maria.lopez@example.org",
                    "maria.lopez@example.org",
                ),
                ("seg-0006", "screen", None, "Cart", True, "usr_4411", None),
            ],
            "select event_at, page_url like '%utm_source=newsletter%', traits_phone, order_id, "
            "checkout_total_amount from raw.shopify_web_events where event_id in "
            "('seg-0001', 'seg-0004', 'seg-0005') order by 1": [
                ("2024-03-05T14:01:12.104Z", True, None, None, None),
                ("2024-03-05T14:04:12.104Z", False, "+1 415 555 0132", None, None),
                ("2024-03-05T14:05:12.104Z", False, None, "gid://shopify/Order/5520000000", "64.8"),
            ],
        },
        {"shopify_web_events": ("read as Segment-spec tracker events",)},
    ),
    Variant(
        "segment_http_batch",
        {"shopify_web_events": ("loaded", 6)},
        {
            "select count(distinct client_id), min(event_id) from raw.shopify_web_events": [
                (1, "bat-0001")
            ]
        },
        {"shopify_web_events": ("read as Segment-spec tracker events", "wrapper object")},
    ),
    Variant(
        "rudderstack_json_lines",
        {"shopify_web_events": ("loaded", 6)},
        {"select count(*) filter (where event_type = 'track') from raw.shopify_web_events": [(3,)]},
    ),
    Variant(
        "segment_unnamed_file",
        {"shopify_web_events": ("loaded", 3)},
        message={"shopify_web_events": ("recognised by its records as shopify_web_events",)},
    ),
    Variant(
        "unknown_json_shape",
        {},
        not_loaded=(
            "shopify/events-export.jsonl: named like no export of the shopify/ folder",
            "'collector_tstamp', 'domain_userid'",
        ),
    ),
    Variant(
        "web_pixel_gids",
        {"shopify_web_events": ("loaded", 1)},
        {
            "select event_type, event_name, customer_id, order_id from raw.shopify_web_events": [
                (
                    "standard",
                    "checkout_completed",
                    "gid://shopify/Customer/7614304534901",
                    "gid://shopify/Order/5520000001",
                )
            ]
        },
    ),
    Variant(
        "mailchimp_merge_tags_as_labels",
        {"mailchimp_members": ("loaded", 3)},
        {
            "select count(email_address), count(first_name), count(phone_number) "
            "from raw.mailchimp_members": [(3, 3, 3)]
        },
        {"mailchimp_members": ("'FNAME' as 'First Name'", "'Email' as 'Email Address'")},
    ),
    Variant(
        "mailchimp_german_labels",
        {"mailchimp_members": ("loaded", 3)},
        {
            "select count(email_address), count(last_name), max(_member_status) "
            "from raw.mailchimp_members": [(3, 3, "subscribed")]
        },
        {"mailchimp_members": ("'Vorname' as 'First Name'", "'E-Mail-Adresse' as 'Email Address'")},
    ),
    Variant(
        "mailchimp_extra_merge_fields",
        {"mailchimp_members": ("loaded", 2)},
        {
            "select json_extract_string(_extra, '$.\"Favourite Store\"'), "
            "json_extract_string(_extra, '$.Company') from raw.mailchimp_members limit 1": [
                ("Main St", "Acme Ltd")
            ]
        },
        {"mailchimp_members": ("3 unknown column(s) kept in _extra",)},
    ),
    Variant(
        "mailchimp_cleaned_with_reason",
        {"mailchimp_members": ("loaded", 1)},
        {
            "select _member_status, clean_time, clean_campaign_title, clean_campaign_id "
            "from raw.mailchimp_members": [
                ("cleaned", "2024-02-03 08:00:00", "March Newsletter", "a1b2c3d4e5")
            ]
        },
    ),
    Variant(
        "mailchimp_cleaned_without_reason",
        {"mailchimp_members": ("loaded", 1)},
        {
            "select _member_status, clean_time, last_changed from raw.mailchimp_members": [
                ("cleaned", None, "2024-02-03 08:00:00")
            ]
        },
    ),
    Variant(
        "mailchimp_unsubscribed_without_reason",
        {"mailchimp_members": ("loaded", 1)},
        {
            "select _member_status, unsub_time, unsub_reason from raw.mailchimp_members": [
                ("unsubscribed", "2024-02-05 11:00:00", None)
            ]
        },
    ),
    Variant("hygiene_square_customers", {"square_customers": ("loaded", 8)}),
    Variant("hygiene_mailchimp_members", {"mailchimp_members": ("loaded", 8)}),
    Variant(
        "hygiene_shopify_orders",
        {"shopify_orders": ("loaded", 8), "shopify_order_line_items": ("loaded", 8)},
    ),
    Variant(
        "mailchimp_email_audience_export_names",
        {},
        {
            "select _member_status, count(*) from raw.mailchimp_members group by 1 order by 1": [
                ("nonsubscribed", 1),
                ("subscribed", 2),
            ]
        },
    ),
]


@pytest.mark.parametrize("variant", CASES, ids=lambda v: v.name)
def test_variant_loads_as_a_user_expects(variant: Variant, tmp_path: Path) -> None:
    landing = VARIANTS / variant.name
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    tools = {p.name for p in landing.iterdir()}
    reports = {
        spec.table: load_source(conn, spec, landing)
        for spec in SOURCES.values()
        if spec.tool in tools
    }
    for table, (status, loaded) in variant.loads.items():
        [record] = reports[table].files
        assert (record.status, record.rows_loaded) == (status, loaded), record.message
        for text in variant.message.get(table, ()):
            assert text in record.message
    for report in reports.values():  # nothing quarantined, every read row loaded
        for record in report.files:
            assert record.rows_quarantined == 0, record.message
            if record.status == "loaded":
                assert record.rows_read == record.rows_loaded
    for sql, expected in variant.rows.items():
        assert conn.execute(sql).fetchall() == expected, sql
    report = " | ".join(describe_unrecognised(p, landing) for p in unrecognised_files(landing))
    for text in variant.not_loaded:
        assert text in report
    if not variant.not_loaded:
        assert report == ""
    conn.close()


# Raw table → its columns holding an email and a phone, for the hygiene fixtures.
_IDENTIFIER_COLUMNS = {
    "square_customers": ("email_address", "phone_number"),
    "mailchimp_members": ("email_address", None),
    "shopify_orders": ("email", "phone"),
}


@pytest.mark.parametrize(
    "variant", sorted(p.name for p in VARIANTS.glob("hygiene_*")), ids=lambda name: name
)
def test_messy_identifiers_in_real_files_load_verbatim_and_clean_to_the_person(
    variant: str, tmp_path: Path
) -> None:
    """The loader keeps what the file says (lineage); the one hygiene definition turns every
    messy email and phone into the address and number of the person (docs/identity.md)."""
    import json

    landing = VARIANTS / variant
    expected = json.loads((landing / ".expected.json").read_text(encoding="utf-8"))
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    tools = {p.name for p in landing.iterdir() if p.is_dir()}
    for spec in SOURCES.values():
        if spec.tool in tools and spec.table in _IDENTIFIER_COLUMNS:
            load_source(conn, spec, landing)
            email_column, phone_column = _IDENTIFIER_COLUMNS[spec.table]
            emails = [
                r[0]
                for r in conn.execute(f"select {email_column} from raw.{spec.table}").fetchall()
            ]
            assert sorted(emails) == sorted(expected["emails"]), "the raw value is kept as written"
            assert sorted(normalise_email(e) for e in emails) == sorted(expected["emails"].values())
            if phone_column:
                phones = [
                    r[0]
                    for r in conn.execute(f"select {phone_column} from raw.{spec.table}").fetchall()
                ]
                assert sorted(to_e164(p, "US")[0] for p in phones) == sorted(
                    expected["phones"].values()
                )
    conn.close()


def test_every_variant_fixture_has_a_test_and_a_readme_row() -> None:
    folders = {p.name for p in VARIANTS.iterdir() if p.is_dir()}
    assert folders == {v.name for v in CASES}
    readme = (VARIANTS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in folders)


def test_a_warehouse_from_before_new_raw_columns_gets_them(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    conn.execute("create schema raw")
    conn.execute(
        "create table raw.square_customers (square_customer_id varchar, _extra varchar, "
        "_source_file varchar not null, _source_row bigint not null, "
        "_file_sha256 varchar not null, _loaded_at timestamp not null)"
    )
    load_source(conn, SOURCES["square_customers"], VARIANTS / "square_email_unsubscribed")

    assert conn.execute(
        "select count(email_unsubscribed) from raw.square_customers"
    ).fetchall() == [(3,)]


def test_header_aliases_never_collide_within_a_format() -> None:
    for spec in SOURCES.values():
        for fmt in spec.formats:
            if hasattr(fmt, "aliases"):
                fmt.match([])  # building the lookup raises on an ambiguous alias
