"""Segment entry / exit on hand-made members, through the same dbt macro the segments'
post-hook runs (macros/core/segment_memberships.sql), against a throwaway DuckDB file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"


def _apply(tmp: Path, warehouse: Path, members: list[str], as_of: str) -> None:
    conn = duckdb.connect(str(warehouse))
    try:
        conn.execute("create schema if not exists scratch")
        conn.execute("create or replace table scratch.members (person_id varchar)")
        for person in members:
            conn.execute("insert into scratch.members values (?)", [person])
    finally:
        conn.close()
    args = {"segment_name": "vip", "members": "scratch.members", "as_of": as_of, "schema": "marts"}
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "run-operation",
            "apply_segment_membership",
            "--args",
            json.dumps(args),
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        env={**__import__("os").environ, "CDP_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _history(warehouse: Path) -> list[tuple]:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        return conn.execute(
            "select person_id, strftime(entered_at, '%d'), strftime(exited_at, '%d') "
            "from marts.segment_membership_history order by person_id, entered_at"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.timeout(900)
def test_people_enter_leave_and_come_back_with_one_row_per_stay(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _apply(tmp_path, warehouse, ["ann", "bob"], "2025-06-01 00:00:00")
    _apply(tmp_path, warehouse, ["ann", "bob"], "2025-06-02 00:00:00")  # no change: no rows
    assert _history(warehouse) == [("ann", "01", None), ("bob", "01", None)]
    _apply(tmp_path, warehouse, ["bob", "cat"], "2025-06-03 00:00:00")  # ann leaves, cat enters
    _apply(tmp_path, warehouse, ["ann", "bob", "cat"], "2025-06-04 00:00:00")  # ann is back
    _apply(tmp_path, warehouse, [], "2025-06-05 00:00:00")  # the segment empties
    assert _history(warehouse) == [
        ("ann", "01", "03"),
        ("ann", "04", "05"),
        ("bob", "01", "05"),
        ("cat", "03", "05"),
    ]
