"""What each destination last received, per segment and person: the base of incremental exports.

`meta.export_sync_state(destination, segment, person_id, row_hash, row_json, exported_at)` holds
one row per person in the last *successful* export of a segment to a destination, with the row
exactly as it was sent (`row_json`, so a later `removes` file can name them even after their
profile changed or disappeared) and its hash (so a changed row is noticed). The state is
replaced in one transaction after the files (and, for the webhook, the delivery) succeeded, so
a failed export never advances it.

`meta.export_pending_removals(destination, segment, row_json, reason, queued_at)` holds rows
that must appear in the next `removes` file although the person is gone from the state:
`cdp forget` moves a forgotten person's sync rows here (their data leaves the warehouse, but the
tools that received it must still be told to drop it); the next successful export of that
segment to that destination writes them to `removes` and deletes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from cdp.core.warehouse import create_table_if_missing

SYNC_STATE_TABLE = "meta.export_sync_state"
PENDING_REMOVALS_TABLE = "meta.export_pending_removals"


@dataclass(frozen=True)
class SentRow:
    """One person's row as last sent to a destination."""

    row_hash: str
    row: dict[str, Any]


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    create_table_if_missing(
        conn,
        SYNC_STATE_TABLE,
        """
            destination varchar not null,
            segment varchar not null,
            person_id varchar not null,
            row_hash varchar not null,
            row_json varchar not null,
            exported_at timestamp not null,
            primary key (destination, segment, person_id)
        """,
    )
    create_table_if_missing(
        conn,
        PENDING_REMOVALS_TABLE,
        """
            destination varchar not null,
            segment varchar not null,
            row_json varchar not null,
            reason varchar not null,
            queued_at timestamp not null
        """,
    )


def canonical_json(row: Mapping[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(row: Mapping[str, Any]) -> str:
    """Hash of a row's content, independent of key order."""
    return hashlib.sha256(canonical_json(row).encode("utf-8")).hexdigest()


def load_state(
    conn: duckdb.DuckDBPyConnection, destination: str, segment: str
) -> dict[str, SentRow]:
    ensure_tables(conn)
    rows = conn.execute(
        f"select person_id, row_hash, row_json from {SYNC_STATE_TABLE} "
        "where destination = ? and segment = ?",
        [destination, segment],
    ).fetchall()
    return {pid: SentRow(digest, json.loads(payload)) for pid, digest, payload in rows}


def load_pending_removals(
    conn: duckdb.DuckDBPyConnection, destination: str, segment: str
) -> list[dict[str, Any]]:
    ensure_tables(conn)
    rows = conn.execute(
        f"select distinct row_json from {PENDING_REMOVALS_TABLE} "
        "where destination = ? and segment = ? order by row_json",
        [destination, segment],
    ).fetchall()
    return [json.loads(payload) for (payload,) in rows]


def save_state(
    conn: duckdb.DuckDBPyConnection,
    destination: str,
    segment: str,
    current: Mapping[str, SentRow],
    exported_at: datetime,
) -> None:
    """Replaces the segment's state with `current` and clears its pending removals, atomically."""
    ensure_tables(conn)
    batch = pa.table(
        {
            "person_id": pa.array(list(current), pa.string()),
            "row_hash": pa.array([sent.row_hash for sent in current.values()], pa.string()),
            "row_json": pa.array(
                [canonical_json(sent.row) for sent in current.values()], pa.string()
            ),
        }
    )
    stamp = exported_at.replace(tzinfo=None)
    conn.register("cdp_export_state_batch", batch)
    conn.execute("begin transaction")
    try:
        conn.execute(
            f"delete from {SYNC_STATE_TABLE} where destination = ? and segment = ?",
            [destination, segment],
        )
        conn.execute(
            f"insert into {SYNC_STATE_TABLE} select ?, ?, person_id, row_hash, row_json, ? "
            "from cdp_export_state_batch",
            [destination, segment, stamp],
        )
        conn.execute(
            f"delete from {PENDING_REMOVALS_TABLE} where destination = ? and segment = ?",
            [destination, segment],
        )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    finally:
        conn.unregister("cdp_export_state_batch")


def forget_people(
    conn: duckdb.DuckDBPyConnection, person_ids: Iterable[str], forgotten_at: datetime
) -> int:
    """Moves the people's sync rows to the pending removals; returns how many rows moved.

    Runs inside the caller's transaction (`cdp forget` deletes everything in one).
    """
    ids = sorted(set(person_ids))
    ensure_tables(conn)
    if not ids:
        return 0
    placeholders = ", ".join("?" for _ in ids)
    conn.execute(
        f"insert into {PENDING_REMOVALS_TABLE} "
        f"select destination, segment, row_json, 'forgotten', ? from {SYNC_STATE_TABLE} "
        f"where person_id in ({placeholders})",
        [forgotten_at.replace(tzinfo=None), *ids],
    )
    moved = conn.execute(
        f"select count(*) from {SYNC_STATE_TABLE} where person_id in ({placeholders})", ids
    ).fetchone()
    conn.execute(f"delete from {SYNC_STATE_TABLE} where person_id in ({placeholders})", ids)
    return int(moved[0]) if moved else 0


def diff(
    previous: Mapping[str, SentRow],
    current: Mapping[str, SentRow],
    pending: list[dict[str, Any]],
    replaces_changed_rows: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(adds, removes) turning what the destination has (`previous`) into `current`.

    adds: new people and changed rows (an upsert for the tool). removes: people who left the
    export (left the segment, lost consent, suppressed), queued removals (forgotten people),
    and, where the destination matches on identifiers (`replaces_changed_rows`), the old
    version of a changed row. Apply removes before adds. Both are ordered by person_id.
    """
    adds: list[dict[str, Any]] = []
    removes: list[dict[str, Any]] = []
    for person_id in sorted(current):
        before = previous.get(person_id)
        if before is None:
            adds.append(current[person_id].row)
        elif before.row_hash != current[person_id].row_hash:
            adds.append(current[person_id].row)
            if replaces_changed_rows:
                removes.append(before.row)
    for person_id in sorted(previous):
        if person_id not in current:
            removes.append(previous[person_id].row)
    seen = {canonical_json(row) for row in removes}
    for row in pending:
        if canonical_json(row) not in seen:
            removes.append(row)
            seen.add(canonical_json(row))
    return adds, removes
