"""Deleting raw rows: the person's rows (matched on the raw columns the dbt sources declare as
identifiers, normalised like the identity layer), their orders' children, and the ingestion
manifest kept reconciled file by file.

Children go with their parent, whatever order the raw tables load in: the line items and
refunds of an order (three raw tables, loaded by three separate assets from one file) carry no
identifier of the person, only the order id. So the ids of every order erased or dropped are
tombstoned too (type `shopify_order_id`); a child row whose order id is tombstoned is dropped
when its file loads, and dropping an order deletes the children loaded earlier. A dropped order
can never leave orphan line items behind to fail the `relationships` tests.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import duckdb

from cdp.core.identifier_hygiene import phone_lookup_key
from cdp.privacy.identifier_columns import IdentifierColumns
from cdp.privacy.identifiers import ORDER_ID, normalised_sql
from cdp.privacy.report import ForgetReport
from cdp.privacy.sql import delete_where, marks, table_exists
from cdp.privacy.tombstones import add_tombstones, tombstoned_sql
from ingestion.manifest import MANIFEST_TABLE
from ingestion.phone_lookup import LOOKUP_TABLE

# Raw tables whose rows belong to an order: (table, its order column).
RAW_ORDER_CHILDREN: tuple[tuple[str, str], ...] = (
    ("shopify_order_line_items", "order_id"),
    ("shopify_order_refunds", "order_id"),
)
ORDER_PARENT = ("shopify_orders", "id")
ERASED_NOTE = "{n} row(s) erased by cdp forget"


def order_columns(table: str) -> list[str]:
    """The columns of a raw table holding the id of an order (its own or its parent's)."""
    return [column for child, column in (ORDER_PARENT, *RAW_ORDER_CHILDREN) if child == table]


def order_tombstoned(column: str) -> str:
    """SQL: the row's order id (in `column`) is the id of an erased order."""
    return tombstoned_sql(normalised_sql(ORDER_ID, column), ORDER_ID)


def phone_keys(raw_phones: list[str]) -> list[str]:
    """Lookup keys of raw phone texts (entries written before the current hygiene rules are
    keyed again)."""
    return sorted({key for key in map(phone_lookup_key, raw_phones) if key})


def order_ids(conn: duckdb.DuckDBPyConnection, table: str, where: str, params: list) -> list[str]:
    """The normalised ids of the orders matching `where` (none for a table that is not orders)."""
    if table != ORDER_PARENT[0]:
        return []
    rows = conn.execute(
        f"select distinct {normalised_sql(ORDER_ID, ORDER_PARENT[1])} from raw.{table} "
        f"where {where}",
        params,
    ).fetchall()
    return [row[0] for row in rows if row[0]]


def delete_person_rows(
    conn: duckdb.DuckDBPyConnection,
    raw_tables: dict[str, set[str]],
    columns: IdentifierColumns,
    by_type: dict[str, list[str]],
    raw_phones: list[str],
    report: ForgetReport,
    forgotten_at: datetime,
) -> None:
    """Deletes the raw rows carrying any of the person's identifiers, their orders' children and
    the unparseable records that mention them."""
    erased_orders: list[str] = []
    for table, columns_by_type in columns.raw.items():
        # The phone lookup goes by E.164 (forget_identifier), not by its raw keys.
        if table not in raw_tables or f"raw.{table}" == LOOKUP_TABLE:
            continue
        clauses: list[str] = []
        params: list[str] = []
        for kind, names in columns_by_type.items():
            values = phone_keys(raw_phones) if kind == "phone" else by_type.get(kind, [])
            for column in names:
                if column not in raw_tables[table] or not values:
                    continue
                clauses.append(f"{normalised_sql(kind, column)} in ({marks(values)})")
                params.extend(values)
        if not clauses:
            continue
        where = " or ".join(clauses)
        if ORDER_PARENT[1] in raw_tables[table]:
            erased_orders += order_ids(conn, table, where, params)
        report.deleted[f"raw.{table}"] += delete_raw_rows(
            conn, table, raw_tables[table], where, params
        )
    # The person's orders are tombstoned by id: their line items and refunds go now, and
    # whenever they are re-sent. Rows left by an earlier erasure (orders re-sent under another
    # email, children of orders dropped before) go too: a second `cdp forget` finishes the job.
    report.tombstones += add_tombstones(conn, ORDER_ID, erased_orders, forgotten_at)
    report.deleted.update(erase_tombstoned_orders(conn, raw_tables, ERASED_NOTE))
    # Records the loader could not parse keep their raw text: drop those that mention them.
    needles = [
        v.lower() for v in [*by_type.get("email", []), *by_type.get("phone", []), *raw_phones]
    ]
    quarantined = raw_tables.get("quarantined_rows", set())
    if "raw_text" in quarantined and needles:
        report.deleted["raw.quarantined_rows"] += delete_where(
            conn,
            "raw.quarantined_rows",
            " or ".join("contains(lower(raw_text), ?)" for _ in needles),
            needles,
        )


def erase_tombstoned_orders(
    conn: duckdb.DuckDBPyConnection,
    raw_tables: dict[str, set[str]],
    note: str,
    skip: str | None = None,
) -> Counter[str]:
    """Deletes, from every file, the raw orders and order children whose order id is
    tombstoned (`skip`: a table the caller handles itself); keeps the manifest reconciled."""
    deleted: Counter[str] = Counter()
    for table, column in (ORDER_PARENT, *RAW_ORDER_CHILDREN):
        if table == skip or column not in raw_tables.get(table, set()):
            continue
        deleted[f"raw.{table}"] += delete_raw_rows(
            conn, table, raw_tables[table], order_tombstoned(column), [], note
        )
    return deleted


def delete_raw_rows(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    columns: set[str],
    where: str,
    params: list,
    note: str = ERASED_NOTE,
) -> int:
    """Deletes raw rows and keeps the ingestion manifest reconciled, file by file: the erased
    rows leave `rows_loaded` for `rows_quarantined` (rows read = loaded + quarantined, and the
    raw table holds exactly the rows loaded), with a note in the file's message."""
    if "_source_file" not in columns:
        return delete_where(conn, f"raw.{table}", where, params)
    files = Counter(
        row[0]
        for row in conn.execute(
            f"delete from raw.{table} where {where} returning _source_file", params
        ).fetchall()
    )
    if table_exists(conn, "meta", "ingested_files"):
        for source_file, erased in files.items():
            move_to_quarantined(conn, table, source_file, erased, note.format(n=erased))
    return sum(files.values())


def move_to_quarantined(
    conn: duckdb.DuckDBPyConnection, table: str, source_file: str, rows: int, note: str
) -> None:
    """Moves `rows` of a loaded file from `rows_loaded` to `rows_quarantined`, with a note."""
    conn.execute(
        f"update {MANIFEST_TABLE} set rows_loaded = rows_loaded - ?, "
        "rows_quarantined = coalesce(rows_quarantined, 0) + ?, "
        "message = concat_ws('; ', nullif(message, ''), ?) "
        "where source_table = ? and file_path = ? and status = 'loaded'",
        [rows, rows, note, table, source_file],
    )
