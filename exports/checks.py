"""Checks of a written export, run after it (Dagster asset checks wrap these two functions).

`check_row_counts`: the manifest's rows plus refusals add up to the segment as it is in the
warehouse now, and the full file on disk holds exactly the manifest's rows and checksum.
`check_marketing_consent`: the people in a marketing file (read back through the sync state,
whose rows must render to exactly the file on disk) are all marketable on the file's channel
and none is on the suppression list.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from exports import sync_state
from exports.destinations import get_destination
from exports.formats import render
from exports.run_log import last_run
from exports.segments import SegmentSpec
from exports.suppression import EMPTY, Suppression
from exports.writer import MANIFEST_NAME, PROFILES_RELATION


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


def _manifest(exports_dir: Path, destination: str, segment: str) -> dict[str, Any] | None:
    path = exports_dir / destination / segment / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _skipped(conn: duckdb.DuckDBPyConnection, destination: str, segment: str) -> bool:
    run = last_run(conn, destination, segment)
    return bool(run and run["status"] == "skipped")


def check_row_counts(
    conn: duckdb.DuckDBPyConnection, segment: SegmentSpec, destination: str, exports_dir: Path
) -> CheckOutcome:
    manifest = _manifest(exports_dir, destination, segment.name)
    if manifest is None:
        if _skipped(conn, destination, segment.name):
            return CheckOutcome(True, "export skipped (see its run log): no file to check")
        return CheckOutcome(False, f"no manifest.json for {destination}/{segment.name}")
    schema, table = segment.relation.split(".")
    distinct_ids, null_ids = conn.execute(
        f"select count(distinct person_id), count(*) filter (where person_id is null) "
        f'from "{schema}"."{table}"'
    ).fetchone()
    segment_now = int(distinct_ids) + int(null_ids)
    refused = sum(manifest.get("refused", {}).values())
    data_path = exports_dir / destination / segment.name / manifest["file"]
    data = data_path.read_bytes() if data_path.is_file() else b""
    metadata = {
        "segment_rows_now": segment_now,
        "manifest_rows": manifest["rows"],
        "manifest_refused": refused,
    }
    if manifest["rows"] + refused != segment_now:
        return CheckOutcome(
            False,
            f"manifest rows {manifest['rows']} + refused {refused} != {segment_now} people in "
            f"{segment.relation} now",
            metadata,
        )
    if hashlib.sha256(data).hexdigest() != manifest["sha256"]:
        return CheckOutcome(
            False, f"{data_path.name} does not match the manifest's sha256", metadata
        )
    return CheckOutcome(True, "rows + refused = segment size, file matches manifest", metadata)


def check_marketing_consent(
    conn: duckdb.DuckDBPyConnection,
    segment: SegmentSpec,
    destination: str,
    exports_dir: Path,
    suppression: Suppression = EMPTY,
) -> CheckOutcome:
    dest = get_destination(destination)
    channel = dest.marketing_channel
    if channel is None:
        return CheckOutcome(True, f"{destination} is not a marketing file")
    manifest = _manifest(exports_dir, destination, segment.name)
    if manifest is None:
        return CheckOutcome(_skipped(conn, destination, segment.name), "no export to check")
    state = sync_state.load_state(conn, destination, segment.name)
    rendered = render(dest, [state[pid].row for pid in sorted(state)])
    if hashlib.sha256(rendered).hexdigest() != manifest["sha256"]:
        return CheckOutcome(
            False,
            "the file's rows are not the ones recorded as sent (meta.export_sync_state); "
            "re-run the export",
        )
    ids = sorted(state)
    problems: list[str] = []
    if ids:
        conn.execute("create or replace temp table cdp_check_ids (person_id varchar)")
        conn.executemany("insert into cdp_check_ids values (?)", [(pid,) for pid in ids])
        rows = conn.execute(
            f"""
            select i.person_id, p.person_id is not null, p.email, p.phone,
                   coalesce(p.is_email_marketable, false), coalesce(p.is_sms_marketable, false)
            from cdp_check_ids as i left join {PROFILES_RELATION} as p using (person_id)
            order by i.person_id
            """
        ).fetchall()
        conn.execute("drop table cdp_check_ids")
        for person_id, known, email, phone, email_ok, sms_ok in rows:
            if not known:
                problems.append(f"{person_id}: no longer in {PROFILES_RELATION}")
            elif suppression.matches(email, phone):
                problems.append(f"{person_id}: on the suppression list")
            elif channel in ("email", "ads") and not email_ok:
                problems.append(f"{person_id}: not email-marketable")
            elif channel == "sms" and not sms_ok:
                problems.append(f"{person_id}: not SMS-marketable")
    metadata = {"people_checked": len(ids), "problems": len(problems)}
    if problems:
        listed = "; ".join(problems[:20])
        return CheckOutcome(
            False, f"{len(problems)} person(s) must not be in this file: {listed}", metadata
        )
    return CheckOutcome(
        True, f"all {len(ids)} people are {channel}-marketable and unsuppressed", metadata
    )
