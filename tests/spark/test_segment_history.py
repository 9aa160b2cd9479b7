"""Segment entry and exit on Spark: the Spark body of the membership macro rewrites one segment's
partition instead of UPDATE (spark__segment_membership_statements in
macros/core/segment_memberships.sql). The same steps as
tests/e2e/test_profiles_segment_history.py, through `dbt run-operation` on a local session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cdp.parquet_mirror import attach_spark_tables

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"


def _members(people: list[str]) -> str:
    """A subquery of person ids, as the macro's `members` argument."""
    if not people:
        return "(select cast(null as string) as person_id where 1 = 0)"
    return "(" + " union all ".join(f"select '{p}' as person_id" for p in people) + ")"


# The operations run in one process, so they share one Spark session (one JVM start).
_RUN_OPERATIONS = """
import json, sys
from dbt.cli.main import dbtRunner
common = json.loads(sys.argv[1])
parsed = dbtRunner().invoke(["parse", *common])
assert parsed.success, parsed.exception
runner = dbtRunner(manifest=parsed.result)
for args in json.loads(sys.argv[2]):
    result = runner.invoke(
        ["run-operation", "apply_segment_membership", "--args", json.dumps(args), *common]
    )
    if not result.success:
        sys.exit(f"run-operation {args} failed: {result.exception}")
"""


def _apply(tmp: Path, steps: list[tuple[str, list[str], str]]) -> None:
    """Runs apply_segment_membership once per (segment, members, as_of), in order."""
    common = [
        "--project-dir", str(DBT_PROJECT),
        "--profiles-dir", str(DBT_PROJECT),
        "--target-path", str(tmp / "target"),
        "--log-path", str(tmp / "logs"),
    ]  # fmt: skip
    operations = [
        {"segment_name": segment, "members": _members(people), "as_of": as_of}
        for segment, people, as_of in steps
    ]
    result = subprocess.run(
        [sys.executable, "-c", _RUN_OPERATIONS, json.dumps(common), json.dumps(operations)],
        env={
            **os.environ,
            "CDP_DBT_TARGET": "spark",
            "CDP_SPARK_DIR": str(tmp / "spark"),
            "CDP_PARQUET_DIR": str(tmp / "parquet"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _history(tmp: Path) -> list[tuple]:
    conn = duckdb.connect()
    try:
        relations = [("marts", "segment_membership_history")]
        assert attach_spark_tables(conn, tmp / "spark" / "tables", relations)
        return conn.execute(
            "select segment_name, person_id, strftime(entered_at, '%d'), "
            "strftime(exited_at, '%d') from marts.segment_membership_history "
            "order by segment_name, person_id, entered_at"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.timeout(900)
def test_people_enter_leave_and_come_back_per_segment_on_spark(
    tmp_path: Path, spark_ready: None
) -> None:
    _apply(
        tmp_path,
        [
            ("vip", ["ann", "bob"], "2025-06-01 00:00:00"),
            ("other", ["ann"], "2025-06-02 00:00:00"),  # another segment: another partition
            ("vip", ["bob", "cat"], "2025-06-03 00:00:00"),  # ann leaves, cat enters
            ("vip", ["ann", "cat"], "2025-06-04 00:00:00"),  # ann is back, bob leaves
            ("vip", ["ann", "cat"], "2025-06-05 00:00:00"),  # no change: no rows
        ],
    )
    assert _history(tmp_path) == [
        ("other", "ann", "02", None),
        ("vip", "ann", "01", "03"),
        ("vip", "ann", "04", None),
        ("vip", "bob", "01", "04"),
        ("vip", "cat", "03", None),
    ]
