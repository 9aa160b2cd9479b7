"""Right to be forgotten on a tiny warehouse: raw rows, dbt tables, tombstones, loader hook."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from cdp.core.errors import CdpError
from cdp.privacy.erasure import forget_identifier
from cdp.privacy.identifiers import identifier_hash, normalise_input
from cdp.privacy.reimport import drop_tombstoned_rows
from ingestion.sources import SOURCES

NOW = datetime(2025, 7, 1, tzinfo=UTC)
WAREHOUSE = """
create schema raw; create schema meta; create schema marts; create schema intermediate;
create table raw.mailchimp_members (email_address varchar, phone_number varchar, euid varchar,
    _source_file varchar);
create table raw.shopify_orders (id varchar, email varchar, customer__email varchar,
    phone varchar, customer__phone varchar, billing_address__phone varchar,
    shipping_address__phone varchar, customer__id varchar, _source_file varchar);
create table raw.shopify_order_line_items (order_id varchar, title varchar);
create table raw.shopify_web_events (checkout_email varchar, checkout_phone varchar,
    customer_id varchar, client_id varchar);
create table raw.square_transactions (customer_id varchar);
create table raw.phone_numbers (raw_phone varchar, default_region varchar, phone_e164 varchar,
    is_valid boolean);
create table marts.identity_person_registry (identifier_type varchar,
    identifier_value varchar, person_id varchar);
create view marts.person_identifiers as select * from marts.identity_person_registry;
create table marts.profiles (person_id varchar, email varchar, phone varchar);
create table intermediate.int_identifier_observations (source_table varchar,
    identifier_type varchar, raw_value varchar);
create table intermediate.int_consent_events (email varchar, action varchar);
insert into raw.mailchimp_members values
    (' Ann@Example.com', '(555) 123-4567', 'eu1', 'm.csv'),
    ('bob@example.com', null, 'eu2', 'm.csv');
insert into raw.shopify_orders values
    ('o1', null, 'ANN@example.com', null, null, null, null, '''77', 'orders.json'),
    ('o2', 'bob@example.com', null, null, null, null, null, '88', 'orders.json'),
    ('o3', null, null, null, null, '+1 555 123 4567', null, null, 'orders.json');
insert into raw.shopify_order_line_items values ('o1', 'Mug'), ('o2', 'Cup'), ('o3', 'Tea');
insert into raw.shopify_web_events values
    (null, null, 'gid://shopify/Customer/77', 'anon-1'), (null, null, null, 'anon-2');
insert into raw.square_transactions values ('sq-9'), ('sq-1');
insert into raw.phone_numbers values
    ('(555) 123-4567', 'US', '+15551234567', true), ('+1 555 123 4567', 'US', '+15551234567', true);
insert into marts.identity_person_registry values
    ('email', 'ann@example.com', 'p_ann'), ('phone', '+15551234567', 'p_ann'),
    ('shopify_customer_id', '77', 'p_ann'), ('anonymous_id', 'anon-1', 'p_ann'),
    ('mailchimp_subscriber_id', 'eu1', 'p_ann'), ('square_customer_id', 'sq-9', 'p_ann'),
    ('email', 'bob@example.com', 'p_bob');
insert into marts.profiles values ('p_ann', 'ann@example.com', '+15551234567'),
    ('p_bob', 'bob@example.com', null);
insert into intermediate.int_identifier_observations values
    ('mailchimp_members', 'email', ' Ann@Example.com'),
    ('mailchimp_members', 'email', 'bob@example.com');
insert into intermediate.int_consent_events values ('ann@example.com', 'subscribe'),
    ('bob@example.com', 'subscribe');
"""


@pytest.fixture
def conn(dbt_manifest: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory warehouse; erasure reads its identifier columns from `dbt_manifest`."""
    connection = duckdb.connect()
    connection.execute(WAREHOUSE)
    yield connection
    connection.close()


def count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return conn.execute(f"select count(*) from {table}").fetchone()[0]


def test_input_is_normalised_like_the_identity_layer() -> None:
    assert normalise_input("  Ann@Example.COM ", "US") == ("email", "ann@example.com")
    assert normalise_input("(555) 123-4567", "US") == ("phone", "+15551234567")
    with pytest.raises(CdpError, match="not an email address or a phone number"):
        normalise_input("hello", "US")


def test_forget_deletes_every_row_carrying_any_identifier_of_the_person(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    report = forget_identifier(conn, "(555) 123-4567", "US", NOW)

    assert report.person_ids == ["p_ann"]
    assert dict(report.deleted) == {
        "raw.mailchimp_members": 1,
        "raw.shopify_orders": 2,  # by customer email and by billing phone
        "raw.shopify_order_line_items": 2,
        "raw.shopify_web_events": 1,  # gid:// customer id
        "raw.square_transactions": 1,
        "raw.phone_numbers": 2,
        "marts.identity_person_registry": 6,
        "marts.profiles": 1,
        "intermediate.int_identifier_observations": 1,
        "intermediate.int_consent_events": 1,
    }
    # Bob is untouched.
    assert conn.execute("select person_id from marts.profiles").fetchall() == [("p_bob",)]
    assert count(conn, "raw.shopify_orders") == 1
    # Tombstones hold hashes of the normalised identifiers, never the values.
    tombstones = set(
        conn.execute("select identifier_type, identifier_sha256 from meta.tombstones").fetchall()
    )
    assert ("email", identifier_hash("ann@example.com")) in tombstones
    assert ("phone", identifier_hash("+15551234567")) in tombstones
    # Her orders' ids too: their line items and refunds go whenever they are re-sent.
    assert {("shopify_order_id", identifier_hash(o)) for o in ("o1", "o3")} <= tombstones
    assert len(tombstones) == report.tombstones == 8
    dump = str(conn.execute("select * from meta.tombstones").fetchall())
    assert "ann@example.com" not in dump


def test_loader_hook_drops_reimported_rows_of_a_forgotten_person_and_counts_them(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    forget_identifier(conn, "ann@example.com", "US", NOW)
    conn.execute(
        "create table meta.ingested_files (source_table varchar, file_path varchar, "
        "size_bytes bigint, sha256 varchar, rows_read bigint, rows_loaded bigint, "
        "rows_quarantined bigint, status varchar, message varchar, loaded_at timestamp)"
    )
    conn.execute(
        "insert into meta.ingested_files values ('mailchimp_members', 'old.csv', 1, 'x', 3, 3, 0, "
        "'loaded', '', now())"
    )
    conn.execute(
        "insert into raw.mailchimp_members values ('ANN@example.com ', null, 'eu-new', 'old.csv'), "
        "('cy@example.com', '555.123.4567', 'eu3', 'old.csv'), "
        "('dee@example.com', null, 'eu4', 'old.csv')"
    )

    dropped = drop_tombstoned_rows(conn, SOURCES["mailchimp_members"], "old.csv")

    assert dropped == 2  # Ann by email, and her phone on another row (parsed to E.164)
    assert conn.execute(
        "select email_address from raw.mailchimp_members where _source_file = 'old.csv'"
    ).fetchall() == [("dee@example.com",)]
    assert conn.execute(
        "select rows_loaded, rows_quarantined, message from meta.ingested_files"
    ).fetchone() == (1, 2, "2 row(s) dropped: they belong to a forgotten person (meta.tombstones)")


def test_loader_hook_is_a_no_op_without_tombstones(tmp_path: Path) -> None:
    conn = duckdb.connect()
    conn.execute("create schema raw")
    assert drop_tombstoned_rows(conn, SOURCES["mailchimp_members"], "x.csv") == 0


def test_quarantined_records_mentioning_the_person_are_dropped_too(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    conn.execute(
        "create table raw.quarantined_rows (source_table varchar, source_file varchar, "
        "raw_text varchar)"
    )
    conn.execute(
        "insert into raw.quarantined_rows values "
        "('mailchimp_members', 'm.csv', 'ANN@example.com,\"broken'), "
        "('mailchimp_members', 'm.csv', 'bob@example.com,\"broken')"
    )
    report = forget_identifier(conn, "ann@example.com", "US", NOW)
    assert report.deleted["raw.quarantined_rows"] == 1

    conn.execute(
        "insert into raw.quarantined_rows values ('mailchimp_members', 'new.csv', "
        "'x,Ann@Example.com;\"oops'), ('mailchimp_members', 'new.csv', 'cy@example.com,\"oops')"
    )
    conn.execute(
        "create table meta.ingested_files (source_table varchar, file_path varchar, "
        "rows_loaded bigint, rows_quarantined bigint, message varchar)"
    )
    assert drop_tombstoned_rows(conn, SOURCES["mailchimp_members"], "new.csv") == 1
    assert conn.execute("select raw_text from raw.quarantined_rows order by 1").fetchall() == [
        ('bob@example.com,"broken',),
        ('cy@example.com,"oops',),
    ]


def test_forget_keeps_the_ingestion_manifest_reconciled(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        "create table meta.ingested_files (source_table varchar, file_path varchar, "
        "rows_read bigint, rows_loaded bigint, rows_quarantined bigint, status varchar, "
        "message varchar)"
    )
    conn.execute(
        "insert into meta.ingested_files values "
        "('mailchimp_members', 'm.csv', 2, 2, 0, 'loaded', ''), "
        "('shopify_orders', 'orders.json', 3, 3, 0, 'loaded', 'ok')"
    )
    forget_identifier(conn, "ann@example.com", "US", NOW)
    rows = conn.execute(
        "select file_path, rows_read, rows_loaded, rows_quarantined, message "
        "from meta.ingested_files order by 1"
    ).fetchall()
    assert rows == [
        ("m.csv", 2, 1, 1, "1 row(s) erased by cdp forget"),
        ("orders.json", 3, 1, 2, "ok; 2 row(s) erased by cdp forget"),
    ]
    for table, path, loaded in (
        ("mailchimp_members", "m.csv", 1),
        ("shopify_orders", "orders.json", 1),
    ):
        assert count(conn, f"raw.{table} where _source_file = '{path}'") == loaded


ORDERS_MANIFEST = """
create table meta.ingested_files (source_table varchar, file_path varchar, rows_read bigint,
    rows_loaded bigint, rows_quarantined bigint, status varchar, message varchar);
alter table raw.shopify_order_line_items add column _source_file varchar;
update raw.shopify_order_line_items set _source_file = 'orders.json';
insert into meta.ingested_files values
    ('shopify_orders', 'orders.json', 3, 3, 0, 'loaded', ''),
    ('shopify_order_line_items', 'orders.json', 3, 3, 0, 'loaded', '');
"""


def _resend(conn: duckdb.DuckDBPyConnection, table: str, rows: str, loaded: int) -> None:
    """A re-sent orders file, as the loader leaves it just before its privacy hook."""
    conn.execute(
        f"insert into meta.ingested_files values ('{table}', 'resent.json', {loaded}, {loaded}, "
        "0, 'loaded', '')"
    )
    conn.execute(f"insert into raw.{table} values {rows}")


def _orphans(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute(
        "select order_id, _source_file from raw.shopify_order_line_items li "
        "where not exists (select 1 from raw.shopify_orders o where o.id = li.order_id) "
        "order by 1, 2"
    ).fetchall()


@pytest.mark.parametrize("orders_first", [True, False], ids=["orders_first", "items_first"])
def test_resent_order_of_a_forgotten_person_takes_its_line_items_with_it(
    conn: duckdb.DuckDBPyConnection, orders_first: bool
) -> None:
    """Orders and their line items load as two assets, in either order: no orphan line item."""
    conn.execute(ORDERS_MANIFEST)
    forget_identifier(conn, "ann@example.com", "US", NOW)
    orders = SOURCES["shopify_orders"]
    items = SOURCES["shopify_order_line_items"]
    # Her old order o1 comes back, and o9, an order she placed that was never loaded before.
    order_rows = (
        "('o1', null, 'ann@example.com', null, null, null, null, null, 'resent.json'), "
        "('o9', 'ann@example.com', null, null, null, null, null, null, 'resent.json'), "
        "('o2', 'bob@example.com', null, null, null, null, null, '88', 'resent.json')"
    )
    item_rows = "('o1', 'Mug', 'resent.json'), ('o9', 'Pot', 'resent.json'), " + (
        "('o2', 'Cup', 'resent.json')"
    )
    steps = [("shopify_orders", order_rows, 3, orders), ("shopify_order_line_items", item_rows,
             3, items)]  # fmt: skip
    for table, rows, loaded, spec in steps if orders_first else steps[::-1]:
        _resend(conn, table, rows, loaded)
        drop_tombstoned_rows(conn, spec, "resent.json")

    assert _orphans(conn) == []
    assert conn.execute(
        "select id from raw.shopify_orders where _source_file = 'resent.json'"
    ).fetchall() == [("o2",)]
    assert conn.execute(
        "select order_id from raw.shopify_order_line_items where _source_file = 'resent.json'"
    ).fetchall() == [("o2",)]
    # Every file still reconciles: rows read = loaded + dropped, raw holds the rows loaded.
    manifest = conn.execute(
        "select source_table, rows_read, rows_loaded, rows_quarantined from meta.ingested_files "
        "where file_path = 'resent.json' order by 1"
    ).fetchall()
    assert manifest == [("shopify_order_line_items", 3, 1, 2), ("shopify_orders", 3, 1, 2)]
    # The new order's id is tombstoned as a hash, never as the value.
    assert conn.execute(
        "select count(*) from meta.tombstones where identifier_type = 'shopify_order_id' "
        "and identifier_sha256 = ?",
        [identifier_hash("o9")],
    ).fetchone() == (1,)


def test_second_forget_erases_what_an_earlier_one_left_behind(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    """After the first forget the person resolves to no one: the second still finds her raw
    rows by identifier, and the line items of her erased orders."""
    conn.execute(ORDERS_MANIFEST)
    forget_identifier(conn, "ann@example.com", "US", NOW)
    # What an older loader let through: her order o1 re-sent with her email, its line items.
    conn.execute(
        "insert into raw.shopify_orders values "
        "('o1', 'Ann@Example.com', null, null, null, null, null, null, 'resent.json')"
    )
    conn.execute("insert into raw.shopify_order_line_items values ('o1', 'Mug', 'resent.json')")
    conn.execute("insert into raw.shopify_order_line_items values ('o3', 'Tea', 'resent.json')")

    report = forget_identifier(conn, "ann@example.com", "US", NOW)

    assert report.person_ids == []
    assert report.deleted["raw.shopify_orders"] == 1
    assert report.deleted["raw.shopify_order_line_items"] == 2
    assert _orphans(conn) == []
    assert conn.execute("select count(*) from raw.shopify_orders where id in ('o1', 'o3')"
                        ).fetchone() == (0,)  # fmt: skip
