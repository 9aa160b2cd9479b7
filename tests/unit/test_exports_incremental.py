"""Incremental exports: adds / removes across runs, no-change reruns, failures, suppression,
the run log and the consent / row-count checks."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

import exports.destinations as destinations_module
from exports import ExportError, SegmentSpec, export_segment, load_suppression
from exports.checks import check_marketing_consent, check_row_counts
from exports.destinations import DESTINATIONS
from exports.run_log import record_export_run, record_failed_export_run
from exports.suppression import Suppression
from exports.sync_state import forget_people, load_state
from tests.unit.test_exports import GENERATED_AT, _conn
from tests.unit.test_exports_destinations import SEGMENT, sha

LATER = GENERATED_AT + timedelta(days=1)


@pytest.fixture
def conn() -> duckdb.DuckDBPyConnection:
    connection = _conn()
    yield connection
    connection.close()


def _emails(path: Path, column: str = "Email Address") -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


def test_first_export_adds_everyone_and_second_adds_and_removes_the_changes(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = export_segment(conn, SEGMENT, "mailchimp", tmp_path, GENERATED_AT)
    assert (first.adds, first.removes, first.status) == (3, 0, "written")
    assert _emails(first.adds_path) == _emails(first.path)
    assert _emails(first.removes_path) == []

    # Eve withdraws consent, Bob (p2) subscribes and his twin p9 too, Gus changes his name.
    conn.execute("update marts.profiles set is_email_marketable = false where person_id = 'p5'")
    conn.execute("update marts.profiles set is_email_marketable = true where person_id = 'p2'")
    conn.execute("update marts.profiles set first_name = 'Augustus' where person_id = 'p8'")
    second = export_segment(conn, SEGMENT, "mailchimp", tmp_path, LATER)

    assert _emails(second.path) == ["ann@example.com", "bob@example.com", "gus@example.com"]
    assert _emails(second.adds_path) == ["bob@example.com", "gus@example.com"]  # new + changed
    assert _emails(second.removes_path) == ["eve@example.com"]  # left: consent withdrawn
    assert (second.adds, second.removes) == (2, 1)
    manifest = json.loads(second.manifest_path.read_text(encoding="utf-8"))
    assert (manifest["adds"], manifest["removes"], manifest["rows"]) == (2, 1, 3)
    assert manifest["files"]["removes"]["file"] == "audience_import.removes.csv"
    assert set(load_state(conn, "mailchimp", "vip_customers")) == {"p1", "p2", "p8"}


def test_ads_audiences_replace_a_changed_row_and_crms_upsert_it(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    export_segment(conn, SEGMENT, "meta_custom_audience", tmp_path, GENERATED_AT)
    export_segment(conn, SEGMENT, "hubspot", tmp_path, GENERATED_AT)
    conn.execute("update marts.profiles set city = 'Chicago' where person_id = 'p1'")

    meta = export_segment(conn, SEGMENT, "meta_custom_audience", tmp_path, LATER)
    hubspot = export_segment(conn, SEGMENT, "hubspot", tmp_path, LATER)

    # The old city hash must leave the audience: remove the old row, add the new one.
    assert (meta.adds, meta.removes) == (1, 1)
    with meta.removes_path.open(encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["ct"] == sha("springfield")
    assert (hubspot.adds, hubspot.removes) == (1, 0)


def test_rerun_with_nothing_changed_writes_nothing(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    for destination in ("mailchimp", "parquet", "google_customer_match"):
        first = export_segment(conn, SEGMENT, destination, tmp_path, GENERATED_AT)
        before = _snapshot(first.path.parent)
        again = export_segment(conn, SEGMENT, destination, tmp_path, LATER)

        assert again.status == "unchanged", destination
        assert (again.adds, again.removes) == (0, 0)
        assert again.sha256 == first.sha256
        assert again.generated_at == first.generated_at  # the manifest on disk is the first
        assert _snapshot(first.path.parent) == before  # not even rewritten


def test_failed_export_does_not_advance_the_state(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export_segment(conn, SEGMENT, "hubspot", tmp_path, GENERATED_AT)
    state_before = load_state(conn, "hubspot", "vip_customers")
    conn.execute("update marts.profiles set first_name = 'Annie' where person_id = 'p1'")
    real = DESTINATIONS["hubspot"].format_row

    def broken(profile: Any, segment: SegmentSpec, notes: Counter[str]) -> dict[str, str]:
        if profile["person_id"] == "p8":
            raise ValueError("unmappable country")
        return real(profile, segment, notes)

    monkeypatch.setitem(
        destinations_module.DESTINATIONS,
        "hubspot",
        dataclasses.replace(DESTINATIONS["hubspot"], format_row=broken),
    )
    with pytest.raises(ExportError, match="person_id 'p8'.*unmappable country"):
        export_segment(conn, SEGMENT, "hubspot", tmp_path, LATER)
    assert load_state(conn, "hubspot", "vip_customers") == state_before

    monkeypatch.undo()
    retried = export_segment(conn, SEGMENT, "hubspot", tmp_path, LATER)
    assert (retried.adds, retried.removes) == (1, 0)  # Annie, not lost by the failure


def test_suppression_list_beats_consent_on_marketing_files_only(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    suppression_file = tmp_path / "suppression.csv"
    suppression_file.write_text("email,phone\nANN@example.com ,\n,(555) 000-0002\n")
    suppression = load_suppression(suppression_file, "US")
    assert suppression.emails == {"ann@example.com"} and suppression.phones == {"+15550000002"}

    mailchimp = export_segment(
        conn, SEGMENT, "mailchimp", tmp_path, GENERATED_AT, suppression=suppression
    )
    google = export_segment(
        conn, SEGMENT, "google_customer_match", tmp_path, GENERATED_AT, suppression=suppression
    )
    hubspot = export_segment(
        conn, SEGMENT, "hubspot", tmp_path, GENERATED_AT, suppression=suppression
    )

    assert "ann@example.com" not in _emails(mailchimp.path)
    # Checked before consent: Ann (p1) and her unmerged twin p7 by email, Bob (p2) by phone.
    assert mailchimp.refused["suppressed"] == 3
    assert sha("ann@example.com") not in _emails(google.path, "Email")
    with hubspot.path.open(encoding="utf-8") as handle:
        ann = next(r for r in csv.DictReader(handle) if r["CDP Person ID"] == "p1")
    assert ann["CDP Email Marketable"] == "false"  # the CRM keeps her, flagged
    assert mailchimp.manifest()["suppression_entries"] == 2


def test_suppression_file_problems_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        load_suppression(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a@example.com\nnot a phone\n")
    with pytest.raises(ExportError, match="line 2"):
        load_suppression(bad)
    plain = tmp_path / "plain.csv"
    plain.write_text("a@example.com\n+442071234567\n")
    assert load_suppression(plain) == Suppression(
        frozenset({"a@example.com"}), frozenset({"+442071234567"}), str(plain)
    )


def test_forgotten_people_appear_in_the_next_removes(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    export_segment(conn, SEGMENT, "mailchimp", tmp_path, GENERATED_AT)
    conn.execute("delete from marts.profiles where person_id = 'p8'")
    conn.execute("delete from marts.segment_vip_customers where person_id = 'p8'")
    assert forget_people(conn, ["p8"], LATER) == 1
    assert "p8" not in load_state(conn, "mailchimp", "vip_customers")

    after = export_segment(conn, SEGMENT, "mailchimp", tmp_path, LATER)
    assert _emails(after.removes_path) == ["gus@example.com"]
    assert "gus@example.com" not in _emails(after.path)
    # The pending removal is consumed by that successful export.
    assert conn.execute("select count(*) from meta.export_pending_removals").fetchone()[0] == 0


def test_run_log_records_adds_removes_refusals_and_failures(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = export_segment(conn, SEGMENT, "mailchimp", tmp_path, GENERATED_AT)
    record_export_run(conn, result, GENERATED_AT, LATER)
    record_failed_export_run(
        conn,
        "hubspot",
        "vip_customers",
        "person_id 'p8' could not be formatted",
        GENERATED_AT,
        LATER,
    )
    rows = conn.execute(
        "select destination, status, rows, adds, removes, refused_by_reason, error "
        "from meta.export_runs order by destination"
    ).fetchall()
    assert rows[0] == ("hubspot", "failed", 0, 0, 0, "{}", "person_id 'p8' could not be formatted")
    assert rows[1][:5] == ("mailchimp", "written", 3, 3, 0)
    assert json.loads(rows[1][5])["no_email_consent"] == 2


def test_checks_catch_a_file_that_no_longer_adds_up_or_holds_an_unconsented_person(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    export_segment(conn, SEGMENT, "mailchimp", tmp_path, GENERATED_AT)
    assert check_row_counts(conn, SEGMENT, "mailchimp", tmp_path).passed
    assert check_marketing_consent(conn, SEGMENT, "mailchimp", tmp_path).passed
    assert (
        "not a marketing file"
        in check_marketing_consent(conn, SEGMENT, "hubspot", tmp_path).description
    )

    # Consent withdrawn and a new segment member since the file was written.
    conn.execute("update marts.profiles set is_email_marketable = false where person_id = 'p5'")
    conn.execute("insert into marts.segment_vip_customers values ('p10', 1)")
    consent = check_marketing_consent(conn, SEGMENT, "mailchimp", tmp_path)
    assert not consent.passed and "p5: not email-marketable" in consent.description
    suppressed = check_marketing_consent(
        conn, SEGMENT, "mailchimp", tmp_path, Suppression(frozenset({"gus@example.com"}))
    )
    assert "p8: on the suppression list" in suppressed.description
    assert not check_row_counts(conn, SEGMENT, "mailchimp", tmp_path).passed

    export_segment(conn, SEGMENT, "mailchimp", tmp_path, LATER)
    assert check_marketing_consent(conn, SEGMENT, "mailchimp", tmp_path).passed
    assert check_row_counts(conn, SEGMENT, "mailchimp", tmp_path).passed


def test_a_refused_person_leaving_rewrites_the_manifest_so_it_still_adds_up(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    first = export_segment(conn, SEGMENT, "mailchimp", tmp_path, GENERATED_AT)
    assert first.refused_total > 0
    [(refused_member,)] = conn.execute(
        "select s.person_id from marts.segment_vip_customers as s "
        "inner join marts.profiles as p using (person_id) "
        "where not coalesce(p.is_email_marketable, false) order by 1 limit 1"
    ).fetchall()
    conn.execute("delete from marts.segment_vip_customers where person_id = ?", [refused_member])

    again = export_segment(conn, SEGMENT, "mailchimp", tmp_path, LATER)

    assert again.status == "written" and (again.adds, again.removes) == (0, 0)
    assert again.sha256 == first.sha256  # the file itself did not change
    assert check_row_counts(conn, SEGMENT, "mailchimp", tmp_path).passed
