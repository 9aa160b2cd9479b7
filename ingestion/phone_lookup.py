"""E.164 forms of every phone number seen in the raw tables: the lookup table dbt joins.

Parsing phone numbers is not something SQL should hand-roll, and it is not portable across
engines either; so this step writes a lookup table (raw text → E.164, parsed by
`cdp.core.phone_numbers.to_e164`) that the dbt identity layer joins on every engine alike.
Only values not seen before are parsed. The key is the raw text after identifier hygiene, the
same key the dbt macro `phone_lookup_key` computes.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from cdp.core.identifier_hygiene import SQL_PHONE_KEY, phone_lookup_keys, register_sql_functions
from cdp.core.phone_numbers import key_to_e164
from ingestion.sources import SOURCES

LOOKUP_TABLE = "raw.phone_numbers"


def refresh_lookup(conn: duckdb.DuckDBPyConnection, default_region: str) -> int:
    """Adds the raw phone values not yet in the lookup; returns how many were added."""
    conn.execute(
        f"create table if not exists {LOOKUP_TABLE} (raw_phone varchar not null, "
        "default_region varchar not null, phone_e164 varchar, is_valid boolean not null, "
        "primary key (raw_phone, default_region))"
    )
    existing_tables = {
        row[0]
        for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    register_sql_functions(conn)
    selects = [
        f"""select distinct "{column}" as raw_text from raw.{spec.table} """
        f'where "{column}" is not null'
        for spec in SOURCES.values()
        if spec.table in existing_tables
        for column in spec.phone_columns
    ]
    if not selects:
        return 0
    new_values = [
        row[0]
        for row in conn.execute(
            # Distinct raw texts first: the key is computed once per text.
            f"select distinct raw_phone from (select {SQL_PHONE_KEY}(raw_text) as raw_phone "
            f"from ({' union '.join(selects)})) "
            f"where raw_phone <> '' and raw_phone not in (select raw_phone from {LOOKUP_TABLE} "
            "where default_region = ?)",
            [default_region],
        ).fetchall()
    ]
    if not new_values:
        return 0
    # to_e164 of each value, with the hygiene step done for the whole column at once.
    keys = phone_lookup_keys(new_values).to_pylist()
    parsed = [key_to_e164(key, default_region) for key in keys]
    batch = pa.table(
        {
            "raw_phone": new_values,
            "default_region": [default_region] * len(new_values),
            "phone_e164": [e164 for e164, _ in parsed],
            "is_valid": [valid for _, valid in parsed],
        }
    )
    conn.register("new_phone_numbers", batch)
    try:
        conn.execute(f"insert into {LOOKUP_TABLE} select * from new_phone_numbers")
    finally:
        conn.unregister("new_phone_numbers")
    return len(new_values)
