"""Exports through the `cdp` CLI: every destination, a no-change rerun, then forget → re-import
→ export, checked the way a user (or a regulator) would check them.

The first run and the no-change rerun are the session's shared demo runs (tests/e2e/conftest.py);
forget, re-import and export go on in a copy of their folder. A local HTTP server on 127.0.0.1
(tests/e2e/conftest.py: webhook_receiver, answering at most a bounded number of requests)
receives the webhook destination's batches.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cdp.core.dbt_paths import DBT_MANIFEST_PATH
from cdp.privacy.identifier_columns import LOOKS_LIKE_IDENTIFIER, declared_types, read_manifest
from cdp.privacy.identifiers import identifier_key
from exports.hashing import google_email
from tests.conftest import AS_OF, CdpEnv, query
from tests.e2e.conftest import DemoRuns, copy_env, webhook_receiver

pytestmark = pytest.mark.e2e


@dataclass
class Scenario:
    env: CdpEnv
    email: str
    manifests_run1: dict[str, dict]
    manifests_run2: dict[str, dict]
    webhook_after_run1: int
    runs: dict[str, str] = field(default_factory=dict)
    webhook_bodies: list[dict] = field(default_factory=list)
    webhook_after_run2: int = 0
    reimport: str = ""


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _member_rows(env: CdpEnv) -> tuple[list[str], dict[str, list[str]]]:
    """Header and rows (by lower-cased email) of the demo's subscribed-members exports."""
    header: list[str] = []
    rows: dict[str, list[str]] = {}
    for path in sorted((env.landing / "mailchimp").glob("subscribed_members_export_*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            for row in reader:
                rows.setdefault(row[0].strip().lower(), row)
    return header, rows


@pytest.fixture(scope="module")
def scenario(demo_runs: DemoRuns, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    # The session's demo runs (tests/e2e/conftest.py) are this scenario's first two runs: it
    # goes on from a copy of their folder instead of running them again.
    env = copy_env(demo_runs.env, tmp_path_factory.mktemp("cdp_forget"))
    runs = {"run1": demo_runs.first_stdout, "run2": demo_runs.second_stdout}
    with webhook_receiver():
        # Someone in an email audience who also subscribed through a Mailchimp export file.
        header, members = _member_rows(env)
        audience = read_csv(env.exports / "mailchimp" / "inactive_90_days" / "audience_import.csv")
        email = next(row["Email Address"] for row in audience if row["Email Address"] in members)
        runs["forget"] = env.cdp("forget", email.upper()).stdout

        # An old export is dropped into the landing folder again, with the forgotten person.
        reimport = env.landing / "mailchimp" / "subscribed_members_export_reimport.csv"
        other = next(e for e in members if e != email)
        with reimport.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerows([header, members[email], members[other]])
        runs["run3"] = env.cdp("run", "--as-of", AS_OF).stdout
    return Scenario(
        env,
        email,
        demo_runs.manifests_after_first_run,
        demo_runs.manifests_after_second_run,
        demo_runs.webhook_bodies_after_first_run,
        runs,
        list(demo_runs.webhook_bodies),
        demo_runs.webhook_bodies_after_second_run,
        reimport.name,
    )


def test_every_destination_wrote_its_documented_headers(scenario: Scenario) -> None:
    expected = {
        "mailchimp": "Email Address,First Name,Last Name,Address,Phone Number,Tags",
        "salesforce": "FirstName,LastName,Email,Phone,MailingStreet,MailingCity,MailingState,"
        "MailingPostalCode,MailingCountry,HasOptedOutOfEmail,CDP_Person_ID__c",
        "google_customer_match": "Email,Phone,First Name,Last Name,Country,Zip",
        "meta_custom_audience": "email,phone,fn,ln,ct,st,zip,country",
    }
    found = {key.split("/")[0] for key in scenario.manifests_run1}
    assert found == {
        "mailchimp", "hubspot", "salesforce", "google_customer_match", "meta_custom_audience",
        "parquet", "jsonl", "webhook",
    }  # fmt: skip
    for key, manifest in scenario.manifests_run1.items():
        destination = key.split("/")[0]
        folder = scenario.env.exports / key
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [manifest["file"], "manifest.json", manifest["files"]["adds"]["file"],
             manifest["files"]["removes"]["file"]]
        )  # fmt: skip
        if destination in expected:
            first_line = (folder / manifest["file"]).read_text(encoding="utf-8").split("\n")[0]
            assert first_line == expected[destination]
        assert manifest["adds"] == manifest["rows"] and manifest["removes"] == 0


def test_ads_files_hold_no_plain_text_identifier(scenario: Scenario) -> None:
    emails = {row[0] for row in query(scenario.env, "select email from marts.profiles")}
    for destination in ("google_customer_match", "meta_custom_audience"):
        for path in scenario.env.exports.glob(f"{destination}/*/*.csv"):
            text = path.read_text(encoding="utf-8")
            assert "@" not in text and "+1" not in text, path
    assert emails


def test_webhook_received_the_first_run_and_nothing_on_the_rerun(scenario: Scenario) -> None:
    first = scenario.webhook_bodies[: scenario.webhook_after_run2]
    manifest = scenario.manifests_run1["webhook/abandoned_checkout"]
    assert sum(len(b["records"]) for b in first) == manifest["rows"]
    assert all(b["action"] == "upsert" and b["_key"] for b in first)
    assert all(len(b["records"]) <= 25 for b in first)


def test_rerun_with_nothing_changed_writes_nothing(scenario: Scenario) -> None:
    # The second run rebuilt the same marts: no manifest (nor file) was rewritten...
    assert scenario.manifests_run2 == scenario.manifests_run1
    # ...nothing was sent again, and every export of that run is logged as unchanged.
    assert scenario.webhook_after_run2 == scenario.webhook_after_run1
    statuses = dict(
        query(scenario.env, "select status, count(*) from meta.export_runs group by status")
    )
    assert statuses.get("unchanged", 0) >= len(scenario.manifests_run1)
    assert "failed" not in statuses


def test_forget_lists_what_it_deleted_and_marts_no_longer_show_the_person(
    scenario: Scenario,
) -> None:
    out = scenario.runs["forget"]
    assert f"Forgot email {scenario.email}" in out
    [person_id] = re.findall(r"\bp_[0-9a-f]{16}\b", out.split("\n")[0])
    # marts.person_identifiers is a view on the registry: deleting there removes it there.
    for table in ("raw.mailchimp_members", "marts.profiles", "marts.identity_person_registry",
                  "marts.segment_membership_history", "meta.export_sync_state"):  # fmt: skip
        assert table in out, out
    assert query(
        scenario.env,
        "select count(*) from marts.segment_membership_history where person_id = ?",
        [person_id],
    ) == [(0,)]
    digest = hashlib.sha256(scenario.email.encode()).hexdigest()
    assert query(
        scenario.env,
        "select count(*) from meta.tombstones where identifier_type = 'email' "
        "and identifier_sha256 = ?",
        [digest],
    ) == [(1,)]
    assert query(
        scenario.env, "select count(*) from marts.profiles where email = ?", [scenario.email]
    ) == [(0,)]


def test_reimported_rows_of_the_forgotten_person_are_dropped_and_counted(
    scenario: Scenario,
) -> None:
    [(rows_loaded, dropped, message)] = query(
        scenario.env,
        "select rows_loaded, rows_quarantined, message from meta.ingested_files "
        "where file_path like ?",
        [f"%{scenario.reimport}"],
    )
    assert dropped >= 1 and rows_loaded == 1
    assert "forgotten person" in message
    for table, column in (("mailchimp_members", "email_address"), ("shopify_orders", "email")):
        assert query(
            scenario.env,
            f"select count(*) from raw.{table} where lower(trim({column})) = ?",
            [scenario.email],
        ) == [(0,)]
    assert query(
        scenario.env,
        "select count(*) from marts.person_identifiers where identifier_value = ?",
        [scenario.email],
    ) == [(0,)]


def test_next_export_removes_the_forgotten_person_everywhere(scenario: Scenario) -> None:
    folder = scenario.env.exports / "mailchimp" / "inactive_90_days"
    manifest = json.loads((folder / "manifest.json").read_text())
    removes = [r["Email Address"] for r in read_csv(folder / manifest["files"]["removes"]["file"])]
    assert scenario.email in removes
    assert scenario.email not in {r["Email Address"] for r in read_csv(folder / manifest["file"])}
    google = scenario.env.exports / "google_customer_match" / "inactive_90_days"
    hashed = hashlib.sha256(google_email(scenario.email).encode()).hexdigest()
    assert hashed in {r["Email"] for r in read_csv(google / "customer_match.removes.csv")}
    assert hashed not in {r["Email"] for r in read_csv(google / "customer_match.csv")}
    for path in scenario.env.exports.glob("*/*/*"):
        if path.name.endswith((".csv", ".jsonl")) and ".removes." not in path.name:
            assert scenario.email not in path.read_text(encoding="utf-8"), path
    assert query(scenario.env, "select count(*) from meta.export_pending_removals") == [(0,)]


def test_every_built_column_that_looks_like_an_identifier_declares_its_type(
    scenario: Scenario,
) -> None:
    """Erasure finds emails and phones in dbt tables through the column meta: a built column
    nobody documented (or declared) would keep a forgotten person's email."""
    manifest = read_manifest(DBT_MANIFEST_PATH)
    declared = {
        (node["schema"], node.get("alias") or node["name"]): node.get("columns", {})
        for node in [*manifest["nodes"].values(), *manifest["sources"].values()]
    }
    built = query(
        scenario.env,
        "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
        "join information_schema.tables t using (table_catalog, table_schema, table_name) "
        "where t.table_type = 'BASE TABLE' and c.table_schema not in ('raw', 'meta')",
    )
    undeclared = sorted(
        f"{schema}.{table}.{column}"
        for schema, table, column in built
        if LOOKS_LIKE_IDENTIFIER.search(column)
        and declared_types(declared.get((schema, table), {}).get(column, {})) is None
    )
    assert not undeclared


def test_identifier_key_is_the_one_dbt_builds(scenario: Scenario) -> None:
    nodes = query(
        scenario.env,
        "select identifier_type, identifier_value, node_key "
        "from intermediate.int_identity_resolved_nodes",
    )
    assert nodes
    assert [key for *_, key in nodes] == [identifier_key(kind, value) for kind, value, _ in nodes]
