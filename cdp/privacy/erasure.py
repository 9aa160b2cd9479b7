"""Right to be forgotten: erase a person from the warehouse and keep them out of later loads.

`forget_identifier` deletes, inside the caller's transaction, every raw row that carries any
identifier of the person (matched on the raw columns listed in `RAW_IDENTIFIER_COLUMNS`,
normalised like the identity layer (`cdp.core.identifier_hygiene`: the email cleaned and
lower-cased, the phone through its lookup key and `raw.phone_numbers` to E.164, source ids
trimmed), their orders' line items and refunds, their
phone lookup entries, and their rows in every dbt-built table (marts and intermediate: by
person_id, identifier or email / phone column). It records a tombstone per identifier in
`meta.tombstones(identifier_type, identifier_sha256, forgotten_at)`: a hash, never the value.

`drop_tombstoned_rows` is the loader's hook: after a file's rows are inserted (same
transaction), rows carrying a tombstoned identifier are deleted again and counted in the
ingestion manifest (`rows_quarantined`), so re-importing an old export cannot bring a forgotten
person back.

Children go with their parent, whatever order the raw tables load in: the line items and
refunds of an order (three raw tables, loaded by three separate assets from one file) carry no
identifier of the person, only the order id. So the ids of every order erased or dropped are
tombstoned too (type `shopify_order_id`, hashed like the rest); a child row whose order id is
tombstoned is dropped when its file loads, and dropping an order deletes the children loaded
earlier. A dropped order can never leave orphan line items behind to fail the `relationships`
tests (and with them every run and export).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import phonenumbers

from cdp.core.errors import CdpError
from cdp.core.identifier_hygiene import (
    SQL_EMAIL,
    SQL_PHONE_KEY,
    normalise_email,
    phone_lookup_key,
    register_sql_functions,
)
from cdp.core.phone_numbers import LOOKUP_TABLE, to_e164
from ingestion.manifest import MANIFEST_TABLE
from ingestion.sources import SourceSpec

TOMBSTONES_TABLE = "meta.tombstones"

# raw table -> identifier type -> raw columns holding it (the columns the identity layer reads).
RAW_IDENTIFIER_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "mailchimp_members": {
        "email": ("email_address",),
        "phone": ("phone_number",),
        "mailchimp_subscriber_id": ("euid",),
    },
    "mailchimp_email_activity": {"email": ("email_address",)},
    "mailchimp_sent_to": {"email": ("email_address",)},
    "mailchimp_unsubscribes": {"email": ("email_address",)},
    "shopify_orders": {
        "email": ("email", "customer__email"),
        "phone": ("phone", "customer__phone", "billing_address__phone", "shipping_address__phone"),
        "shopify_customer_id": ("customer__id",),
    },
    "shopify_customers": {
        "email": ("email",),
        "phone": ("phone", "default_address_phone"),
        "shopify_customer_id": ("customer_id",),
    },
    "shopify_web_events": {
        # A tracker may use the email as its user id.
        "email": ("checkout_email", "traits_email", "user_id"),
        "phone": ("checkout_phone", "traits_phone"),
        "shopify_customer_id": ("customer_id",),
        "anonymous_id": ("client_id",),
        "tracker_user_id": ("user_id",),
    },
    "square_customers": {
        "email": ("email_address",),
        "phone": ("phone_number",),
        "square_customer_id": ("square_customer_id",),
    },
    "square_transactions": {"square_customer_id": ("customer_id",)},
    "square_items": {"square_customer_id": ("customer_id",)},
}
# Raw tables whose rows belong to an order: (table, its order column, parent table, parent key).
RAW_ORDER_CHILDREN: tuple[tuple[str, str, str, str], ...] = (
    ("shopify_order_line_items", "order_id", "shopify_orders", "id"),
    ("shopify_order_refunds", "order_id", "shopify_orders", "id"),
)
# The tombstone type under which erased orders' ids are kept (never an identifier of a person:
# it only carries the erasure to the order's children).
ORDER_ID = "shopify_order_id"
_ORDER_PARENT = ("shopify_orders", "id")
# Schemas written by us, not by dbt: scrubbed explicitly (raw, meta) or holding no people.
_NON_DBT_SCHEMAS = ("raw", "meta", "reference", "information_schema", "pg_catalog")


def normalised_sql(identifier_type: str, column: str) -> str:
    """SQL normalising a raw column like the identity layer (phones: their lookup key, matched
    against `raw.phone_numbers`). Needs `register_sql_functions` on the connection."""
    quoted = f'"{column}"'
    if identifier_type == "email":
        return f"{SQL_EMAIL}({quoted})"
    if identifier_type == "phone":
        return f"{SQL_PHONE_KEY}({quoted})"
    if identifier_type in ("shopify_customer_id", "square_customer_id", ORDER_ID):
        # Shopify CSVs prefix ids with an apostrophe; web pixels and GraphQL send
        # `gid://shopify/Customer/1` (`gid://shopify/Order/1`).
        return f"regexp_replace(ltrim(trim({quoted}), ''''), '^gid://[^/]+/[^/]+/', '')"
    return f"trim({quoted})"


def identifier_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_input(value: str, default_region: str) -> tuple[str, str]:
    """A user's `<email|phone>` as (identifier_type, normalised value), like `cdp profile`."""
    if "@" in value:
        return "email", normalise_email(value)
    value = value.strip()
    try:
        number = phonenumbers.parse(phone_lookup_key(value), default_region)
    except phonenumbers.NumberParseException:
        raise CdpError(f"{value!r} is not an email address or a phone number.") from None
    return "phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class ForgetReport:
    identifier_type: str
    identifier_value: str
    person_ids: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    deleted: Counter[str] = field(default_factory=Counter)
    tombstones: int = 0


def ensure_tombstones(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("create schema if not exists meta")
    conn.execute(
        f"create table if not exists {TOMBSTONES_TABLE} (identifier_type varchar not null, "
        "identifier_sha256 varchar not null, forgotten_at timestamp not null, "
        "primary key (identifier_type, identifier_sha256))"
    )


def _tables(conn: duckdb.DuckDBPyConnection) -> dict[str, dict[str, set[str]]]:
    """schema -> base table -> columns."""
    result: dict[str, dict[str, set[str]]] = {}
    for schema, table, column in conn.execute(
        "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where t.table_type = 'BASE TABLE'"
    ).fetchall():
        result.setdefault(schema, {}).setdefault(table, set()).add(column)
    return result


def forget_identifier(
    conn: duckdb.DuckDBPyConnection, value: str, default_region: str, forgotten_at: datetime
) -> ForgetReport:
    """Erases the person behind `value` (an email or phone); runs in the caller's transaction."""
    identifier_type, normalised = normalise_input(value, default_region)
    register_sql_functions(conn)
    report = ForgetReport(identifier_type, normalised)
    tables = _tables(conn)
    marts = tables.get("marts", {})
    identifiers: set[tuple[str, str]] = {(identifier_type, normalised)}
    # The registry is the table behind the person_identifiers view.
    if "identity_person_registry" in marts:
        report.person_ids = [
            row[0]
            for row in conn.execute(
                "select distinct person_id from marts.identity_person_registry "
                "where identifier_type = ? and identifier_value = ? order by 1",
                [identifier_type, normalised],
            ).fetchall()
        ]
        if report.person_ids:
            identifiers |= set(
                conn.execute(
                    "select identifier_type, identifier_value from marts.identity_person_registry "
                    f"where person_id in ({_marks(report.person_ids)})",
                    report.person_ids,
                ).fetchall()
            )
    report.identifiers = sorted(identifiers)
    by_type: dict[str, list[str]] = {}
    for kind, ident in report.identifiers:
        by_type.setdefault(kind, []).append(ident)
    phones = by_type.get("phone", [])
    raw_phones: list[str] = []
    if phones and "phone_numbers" in tables.get("raw", {}):
        raw_phones = [
            row[0]
            for row in conn.execute(
                f"select distinct raw_phone from {LOOKUP_TABLE} "
                f"where phone_e164 in ({_marks(phones)})",
                phones,
            ).fetchall()
        ]
    ensure_tombstones(conn)
    _delete_raw(conn, tables.get("raw", {}), by_type, raw_phones, report, forgotten_at)
    if phones and "phone_numbers" in tables.get("raw", {}):
        report.deleted[LOOKUP_TABLE] += _delete(
            conn, LOOKUP_TABLE, f"phone_e164 in ({_marks(phones)})", phones
        )
    _scrub_dbt_tables(conn, tables, report, by_type, raw_phones)
    for kind, ident in report.identifiers:
        report.tombstones += _tombstone(conn, kind, [ident], forgotten_at)
    report.deleted = Counter({table: n for table, n in report.deleted.items() if n})
    return report


def _tombstone(
    conn: duckdb.DuckDBPyConnection, kind: str, values: Iterable[str], at: datetime
) -> int:
    """Records hashed tombstones; returns how many were new."""
    inserted = 0
    for value in values:
        inserted += len(
            conn.execute(
                f"insert into {TOMBSTONES_TABLE} values (?, ?, ?) on conflict do nothing "
                "returning identifier_type",
                [kind, identifier_hash(value), at.replace(tzinfo=None)],
            ).fetchall()
        )
    return inserted


def _order_tombstoned(column: str) -> str:
    """SQL: the row's order id (in `column`) is the id of an erased order."""
    return (
        f"sha256({normalised_sql(ORDER_ID, column)}) in (select identifier_sha256 from "
        f"{TOMBSTONES_TABLE} where identifier_type = '{ORDER_ID}')"
    )


def _erase_tombstoned_orders(
    conn: duckdb.DuckDBPyConnection,
    raw_tables: dict[str, set[str]],
    note: str,
    skip: str | None = None,
) -> Counter[str]:
    """Deletes, from every file, the raw orders and order children whose order id is
    tombstoned (`skip`: a table the caller handles itself); keeps the manifest reconciled."""
    deleted: Counter[str] = Counter()
    parent, key = _ORDER_PARENT
    targets = [(parent, key)] + [(child, column) for child, column, *_ in RAW_ORDER_CHILDREN]
    for table, column in targets:
        if table == skip or column not in raw_tables.get(table, set()):
            continue
        deleted[f"raw.{table}"] += _delete_raw_rows(
            conn, table, raw_tables[table], _order_tombstoned(column), [], note
        )
    return deleted


def _marks(values: Iterable[object]) -> str:
    return ", ".join("?" for _ in values) or "null"


def _delete(conn: duckdb.DuckDBPyConnection, table: str, where: str, params: list) -> int:
    row = conn.execute(f"delete from {table} where {where} returning 1", params).fetchall()
    return len(row)


def _delete_raw(
    conn: duckdb.DuckDBPyConnection,
    raw_tables: dict[str, set[str]],
    by_type: dict[str, list[str]],
    raw_phones: list[str],
    report: ForgetReport,
    forgotten_at: datetime,
) -> None:
    order_ids: list[str] = []
    for table, columns_by_type in RAW_IDENTIFIER_COLUMNS.items():
        if table not in raw_tables:
            continue
        clauses: list[str] = []
        params: list[str] = []
        for kind, columns in columns_by_type.items():
            # Keys of lookup entries written before the current hygiene rules are keyed again.
            values = _phone_keys(raw_phones) if kind == "phone" else by_type.get(kind, [])
            for column in columns:
                if column not in raw_tables[table] or not values:
                    continue
                clauses.append(f"{normalised_sql(kind, column)} in ({_marks(values)})")
                params.extend(values)
        if not clauses:
            continue
        where = " or ".join(clauses)
        if (table, "id") == _ORDER_PARENT and "id" in raw_tables[table]:
            order_ids += [
                row[0]
                for row in conn.execute(
                    f"select distinct {normalised_sql(ORDER_ID, 'id')} from raw.{table} "
                    f"where {where}",
                    params,
                ).fetchall()
                if row[0]
            ]
        report.deleted[f"raw.{table}"] += _delete_raw_rows(
            conn, table, raw_tables[table], where, params
        )
    # The person's orders are tombstoned by id: their line items and refunds go now, and
    # whenever they are re-sent. Rows left by an earlier erasure (orders re-sent under another
    # email, children of orders dropped before) go too: a second `cdp forget` finishes the job.
    report.tombstones += _tombstone(conn, ORDER_ID, order_ids, forgotten_at)
    report.deleted.update(
        _erase_tombstoned_orders(conn, raw_tables, "{n} row(s) erased by cdp forget")
    )
    # Records the loader could not parse keep their raw text: drop those that mention them.
    needles = [
        v.lower() for v in [*by_type.get("email", []), *by_type.get("phone", []), *raw_phones]
    ]
    if (
        "quarantined_rows" in raw_tables
        and "raw_text" in raw_tables["quarantined_rows"]
        and needles
    ):
        report.deleted["raw.quarantined_rows"] += _delete(
            conn,
            "raw.quarantined_rows",
            " or ".join("contains(lower(raw_text), ?)" for _ in needles),
            needles,
        )


def _phone_keys(raw_phones: list[str]) -> list[str]:
    return sorted({key for key in map(phone_lookup_key, raw_phones) if key})


def _delete_raw_rows(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    columns: set[str],
    where: str,
    params: list,
    note: str = "{n} row(s) erased by cdp forget",
) -> int:
    """Deletes raw rows and keeps the ingestion manifest reconciled, file by file: the erased
    rows leave `rows_loaded` for `rows_quarantined` (rows read = loaded + quarantined, and the
    raw table holds exactly the rows loaded), with a note in the file's message."""
    if "_source_file" not in columns:
        return _delete(conn, f"raw.{table}", where, params)
    files = Counter(
        row[0]
        for row in conn.execute(
            f"delete from raw.{table} where {where} returning _source_file", params
        ).fetchall()
    )
    manifest_exists = conn.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'meta' and table_name = 'ingested_files'"
    ).fetchone()
    if manifest_exists and manifest_exists[0]:
        for source_file, erased in files.items():
            _move_to_quarantined(conn, table, source_file, erased, note.format(n=erased))
    return sum(files.values())


def _move_to_quarantined(
    conn: duckdb.DuckDBPyConnection, table: str, source_file: str, rows: int, note: str
) -> None:
    conn.execute(
        f"update {MANIFEST_TABLE} set rows_loaded = rows_loaded - ?, "
        "rows_quarantined = coalesce(rows_quarantined, 0) + ?, "
        "message = concat_ws('; ', nullif(message, ''), ?) "
        "where source_table = ? and file_path = ? and status = 'loaded'",
        [rows, rows, note, table, source_file],
    )


def _scrub_dbt_tables(
    conn: duckdb.DuckDBPyConnection,
    tables: dict[str, dict[str, set[str]]],
    report: ForgetReport,
    by_type: dict[str, list[str]],
    raw_phones: list[str],
) -> None:
    """Deletes the person's rows from every dbt-built table (views read raw: already clean)."""
    emails = by_type.get("email", [])
    phones = by_type.get("phone", []) + _phone_keys(raw_phones)
    pairs = report.identifiers
    for schema, schema_tables in tables.items():
        if schema in _NON_DBT_SCHEMAS:
            continue
        for table, columns in schema_tables.items():
            clauses: list[str] = []
            params: list[str] = []
            if "person_id" in columns and report.person_ids:
                clauses.append(f"person_id in ({_marks(report.person_ids)})")
                params += report.person_ids
            if {"identifier_type", "identifier_value"} <= columns and pairs:
                clauses.append(
                    "(identifier_type, identifier_value) in ("
                    + ", ".join("(?, ?)" for _ in pairs)
                    + ")"
                )
                params += [part for pair in pairs for part in pair]
            if "node_key" in columns and pairs:
                clauses.append(f"node_key in ({_marks(pairs)})")
                params += [f"{kind}:{ident}" for kind, ident in pairs]
            if {"identifier_type", "raw_value"} <= columns and pairs:
                # Observations kept with their raw text (those that were not valid).
                raw_values = [ident for _, ident in pairs] + raw_phones
                clauses.append(f"lower(trim(raw_value)) in ({_marks(raw_values)})")
                params += [v.lower() for v in raw_values]
                if emails:
                    clauses.append(f"{SQL_EMAIL}(raw_value) in ({_marks(emails)})")
                    params += emails
                if phones:
                    clauses.append(f"{SQL_PHONE_KEY}(raw_value) in ({_marks(phones)})")
                    params += phones
            for column in sorted(columns):
                if (column == "email" or column.endswith("_email")) and emails:
                    clauses.append(f'{SQL_EMAIL}("{column}") in ({_marks(emails)})')
                    params += emails
                if (column == "phone" or column.endswith("_phone")) and phones:
                    clauses.append(f'{SQL_PHONE_KEY}("{column}") in ({_marks(phones)})')
                    params += phones
            if clauses:
                name = f'"{schema}"."{table}"'
                report.deleted[f"{schema}.{table}"] += _delete(
                    conn, name, " or ".join(clauses), params
                )


def drop_tombstoned_rows(conn: duckdb.DuckDBPyConnection, spec: SourceSpec, relative: str) -> int:
    """Loader hook: deletes the file's freshly inserted rows that carry a tombstoned identifier.

    Called inside the loader's transaction, after the file's manifest entry was recorded, so
    the count is written to that entry (`rows_quarantined`) in the same transaction. Order
    children (line items, refunds) whose order id is tombstoned are dropped too; orders dropped
    here have their ids tombstoned, and the children other files loaded before go with them.
    """
    exists = conn.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'meta' and table_name = 'tombstones'"
    ).fetchone()
    columns_by_type = RAW_IDENTIFIER_COLUMNS.get(spec.table, {})
    order_columns = [column for table, column, *_ in RAW_ORDER_CHILDREN if table == spec.table]
    is_order = (spec.table, "id") == _ORDER_PARENT
    if is_order:
        order_columns.append("id")
    if not exists or not exists[0] or not (columns_by_type or order_columns):
        return 0
    register_sql_functions(conn)
    raw_columns = set(spec.columns)
    clauses: list[str] = [_order_tombstoned(c) for c in order_columns if c in raw_columns]
    params: list[str] = []
    for kind, columns in columns_by_type.items():
        for column in columns:
            if column not in raw_columns:
                continue
            if kind == "phone":
                matched = _tombstoned_phones(conn, spec.table, column, relative)
                if matched:
                    clauses.append(f'"{column}" in ({_marks(matched)})')
                    params += matched
                continue
            clauses.append(
                f"sha256({normalised_sql(kind, column)}) in (select identifier_sha256 from "
                f"{TOMBSTONES_TABLE} where identifier_type = ?)"
            )
            params.append(kind)
    # Unparseable records of the file that mention a forgotten email: already counted as
    # quarantined, so only their stored raw text goes.
    quarantined = _drop_quarantined(conn, spec.table, relative)
    if not clauses:
        return quarantined
    where = f"_source_file = ? and ({' or '.join(clauses)})"
    order_ids = []
    if is_order and "id" in raw_columns:
        order_ids = [
            row[0]
            for row in conn.execute(
                f"select distinct {normalised_sql(ORDER_ID, 'id')} from raw.{spec.table} "
                f"where {where}",
                [relative, *params],
            ).fetchall()
            if row[0]
        ]
    dropped = _delete(conn, f"raw.{spec.table}", where, [relative, *params])
    if order_ids:
        # Children of these orders that other files (or assets) loaded first go with them.
        _tombstone(conn, ORDER_ID, order_ids, datetime.now(UTC))
        _erase_tombstoned_orders(
            conn,
            _tables(conn).get("raw", {}),
            "{n} row(s) dropped: their order belongs to a forgotten person (meta.tombstones)",
            skip=spec.table,
        )
    if dropped:
        _move_to_quarantined(
            conn,
            spec.table,
            relative,
            dropped,
            f"{dropped} row(s) dropped: they belong to a forgotten person (meta.tombstones)",
        )
    return dropped + quarantined


def _drop_quarantined(conn: duckdb.DuckDBPyConnection, table: str, relative: str) -> int:
    """Quarantined records of the file whose raw text holds a tombstoned email address."""
    exists = conn.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' "
        "and table_name = 'quarantined_rows' and column_name = 'raw_text'"
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    return _delete(
        conn,
        "raw.quarantined_rows",
        "source_table = ? and source_file = ? and list_has_any("
        "list_transform(regexp_extract_all(lower(raw_text), '[a-z0-9._%+\\-]+@[a-z0-9.\\-]+'), "
        "lambda e: sha256(e)), (select coalesce(list(identifier_sha256), []) from "
        f"{TOMBSTONES_TABLE} where identifier_type = 'email'))",
        [table, relative],
    )


def _tombstoned_phones(
    conn: duckdb.DuckDBPyConnection, table: str, column: str, relative: str
) -> list[str]:
    """Raw phone texts of the file (exactly as loaded) whose E.164 form is tombstoned."""
    from cdp.core.settings import Settings

    region = Settings.from_env().default_phone_region
    tombstoned = {
        row[0]
        for row in conn.execute(
            f"select identifier_sha256 from {TOMBSTONES_TABLE} where identifier_type = 'phone'"
        ).fetchall()
    }
    if not tombstoned:
        return []
    raw_values = conn.execute(
        f"""select distinct "{column}" from raw.{table} """
        f'where _source_file = ? and "{column}" is not null',
        [relative],
    ).fetchall()
    matched = []
    for (raw,) in raw_values:
        e164, _ = to_e164(raw, region) if raw else (None, False)
        if e164 and identifier_hash(e164) in tombstoned:
            matched.append(raw)
    return matched
