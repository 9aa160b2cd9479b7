"""Generated exports through the whole pipeline, checked the way a user would check them."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from exports.segments import load_segment_specs
from orchestration.dbt_project import dbt_project
from tests.conftest import CdpEnv, query
from tests.e2e.conftest import DEMO_PEOPLE, IDENTITY_SQL, DemoRuns

MAILCHIMP_HEADER = ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Tags"]
HUBSPOT_HEADER = [
    "Email", "First Name", "Last Name", "Phone Number", "Street Address", "City", "State/Region",
    "Postal Code", "Country/Region", "Lifecycle Stage", "CDP Person ID", "CDP Email Marketable",
]  # fmt: skip


@pytest.fixture(scope="module")
def pipeline(demo_runs: DemoRuns) -> tuple[CdpEnv, str, str, set]:
    # The session's shared demo runs (tests/e2e/conftest.py): these tests only read them.
    return (
        demo_runs.env,
        demo_runs.first_stdout,
        demo_runs.second_stdout,
        set(demo_runs.identities_after_first_run),
    )


def read_truth(env: CdpEnv, name: str) -> list[dict[str, str]]:
    with (env.truth / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_summary_reports_every_stage(pipeline) -> None:
    _, first, *_ = pipeline
    for expected in (
        "✓ ingestion: ",
        "✓ dbt models: ",
        "✓ exports: ",
        "people resolved",
        "profiles built",
        "segment vip_customers",
        "Export files",
    ):
        assert expected in first, first[-3000:]


def _log_file(stdout: str) -> Path:
    [path] = re.findall(r"^Log: (.+\.log)$", stdout, flags=re.MULTILINE)
    return Path(path)


def test_run_output_is_short_plain_text_and_the_log_file_has_the_rest(pipeline) -> None:
    env, first, *_ = pipeline
    lines = first.splitlines()
    assert len(lines) < 80, first
    assert "\x1b" not in first  # no terminal escapes in a pipe
    assert not any(len(line) <= 80 and line.endswith("…") for line in lines)  # nothing cut
    assert "Running with dbt=" not in first and "START sql" not in first
    log = _log_file(first)
    assert log.parent == env.warehouse.parent / "logs"
    text = log.read_text()
    assert "Running with dbt=" in text and "START sql" in text and "Completed successfully" in text
    assert "\x1b" not in text
    assert "Files handled by this run" in text  # the full summary, every file
    assert "STEP_SUCCESS" in text or "Finished execution of step" in text


def test_json_run_prints_only_its_summary_and_verbose_shows_dbt(demo_runs: DemoRuns) -> None:
    document = json.loads(demo_runs.second_stdout)  # nothing but the document on stdout
    for key in (
        "outcome", "stages", "people_resolved", "segments", "files_written",
        "exports_unchanged", "warnings", "log_file", "rows_in_warehouse",
    ):  # fmt: skip
        assert key in document, key
    assert document["outcome"] in ("completed", "completed_with_warnings")
    stages = {stage["stage"]: stage for stage in document["stages"]}
    assert stages["ingestion"]["status"] == "done" and stages["exports"]["assets"] > 0
    assert document["people_resolved"] > 0
    assert set(document["segments"]) >= {"vip_customers"}
    # Nothing changed between the two runs: every export delivered (webhook included) said so.
    exported = [e for e in document["exports"] if e["status"] != "skipped"]
    assert exported and document["files_written"] == []
    assert sorted(document["exports_unchanged"]) == sorted(
        f"{e['destination']}/{e['segment']}" for e in exported
    )
    assert Path(document["log_file"]).is_file()
    assert "Running with dbt=" in demo_runs.second_stderr  # --verbose
    assert "Running with dbt=" in Path(document["log_file"]).read_text()


def test_signature_story_ends_as_one_profile(pipeline) -> None:
    env, *_ = pipeline
    signature = [p for p in read_truth(env, "people.csv") if "signature" in p["tags"].split(";")]
    assert signature, "the demo data must contain the signature story"
    truth_ids = read_truth(env, "identifiers.csv")
    for person in signature:
        identifiers = [
            (row["identifier_type"], row["identifier_value"])
            for row in truth_ids
            if row["true_person_id"] == person["true_person_id"]
        ]
        types = {t for t, _ in identifiers}
        assert {
            "anonymous_id",
            "mailchimp_subscriber_id",
            "square_customer_id",
            "email",
            "phone",
        } <= types
        persons = {
            row[0]
            for identifier_type, value in identifiers
            for row in query(
                env,
                "select person_id from marts.person_identifiers "
                "where identifier_type = ? and identifier_value = ?",
                [identifier_type, value],
            )
        }
        assert len(persons) == 1, f"{person['true_person_id']} split into {persons}"


def test_different_true_people_are_never_merged(pipeline) -> None:
    env, *_ = pipeline
    owner = {
        (row["identifier_type"], row["identifier_value"]): row["true_person_id"]
        for row in read_truth(env, "identifiers.csv")
    }
    people: dict[str, set[str]] = {}
    for identifier_type, value, person_id in query(
        env, "select identifier_type, identifier_value, person_id from marts.person_identifiers"
    ):
        assert (identifier_type, value) in owner, f"unknown identifier {identifier_type}:{value}"
        people.setdefault(person_id, set()).add(owner[(identifier_type, value)])
    merged = {person: truths for person, truths in people.items() if len(truths) > 1}
    assert not merged
    assert len(people) >= DEMO_PEOPLE * 0.9


def _money(text: str | None) -> Decimal:
    if not text:
        return Decimal("0")
    negative = "-" in text or "(" in text
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".")
    value = Decimal(digits or "0")
    return -value if negative else value


def test_online_orders_and_revenue_reconcile_with_the_raw_files(pipeline) -> None:
    env, *_ = pipeline
    orders: dict[str, dict] = {}
    for path in sorted((env.landing / "shopify").glob("orders*.json")):
        for order in json.loads(path.read_text())["orders"]:
            orders[str(order["id"])] = order
    expected_revenue = Decimal("0")
    for order in orders.values():
        if order.get("cancelled_at"):
            continue
        refunded = sum(
            (
                Decimal(t["amount"])
                for refund in order.get("refunds", [])
                for t in refund.get("transactions", [])
                if t.get("kind") == "refund" and t.get("status", "success") == "success"
            ),
            Decimal("0"),
        )
        expected_revenue += Decimal(order["total_price"]) - refunded
    expected_orders = sum(1 for o in orders.values() if not o.get("cancelled_at"))

    [(mart_orders, mart_revenue)] = query(
        env,
        "select count(*) filter (where not is_cancelled), sum(net_revenue_amount) "
        "from marts.orders where channel = 'online'",
    )
    [(profile_orders, profile_revenue)] = query(
        env, "select sum(online_orders), sum(online_revenue) from marts.profiles"
    )
    assert mart_orders == expected_orders
    assert Decimal(mart_revenue) == expected_revenue
    # Every online order belongs to someone, so the profiles add up to the same totals.
    assert profile_orders == expected_orders
    assert Decimal(profile_revenue) == expected_revenue


def test_store_sales_reconcile_with_the_raw_files(pipeline) -> None:
    env, *_ = pipeline
    payments: dict[str, Decimal] = {}
    refunds: dict[str, Decimal] = {}
    for path in sorted((env.landing / "square").glob("transactions-*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                target = refunds if row["Event Type"] == "Refund" else payments
                amount = (
                    abs(_money(row["Total Collected"]))
                    if target is refunds
                    else _money(row["Total Collected"])
                )
                target[row["Transaction ID"]] = (
                    target.get(row["Transaction ID"], Decimal("0")) + amount
                )
    expected = sum(payments.values(), Decimal("0")) - sum(
        (v for k, v in refunds.items() if k in payments), Decimal("0")
    )
    [(mart_orders, mart_revenue)] = query(
        env,
        "select count(*), sum(net_revenue_amount) from marts.orders where channel = 'store'",
    )
    assert mart_orders == len(payments)
    assert Decimal(mart_revenue) == expected


def _read_export(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_exports_have_documented_headers_and_no_unconsented_person(pipeline) -> None:
    env, *_ = pipeline
    marketable = {
        email: flag
        for email, flag in query(
            env, "select email, is_email_marketable from marts.profiles where email is not null"
        )
    }
    mailchimp_files = sorted((env.exports / "mailchimp").glob("*/audience_import.csv"))
    hubspot_files = sorted((env.exports / "hubspot").glob("*/contacts_import.csv"))
    specs = load_segment_specs(dbt_project.manifest_path)
    assert len(mailchimp_files) == sum("mailchimp" in s.destinations for s in specs) >= 3
    assert len(hubspot_files) == sum("hubspot" in s.destinations for s in specs) >= 3
    exported = 0
    for path in mailchimp_files:
        header, rows = _read_export(path)
        assert header == MAILCHIMP_HEADER
        for row in rows:
            assert marketable.get(row["Email Address"]) is True, row["Email Address"]
            exported += 1
        manifest = json.loads((path.parent / "manifest.json").read_text())
        assert manifest["rows"] == len(rows)
    assert exported > 0
    for path in hubspot_files:
        header, _ = _read_export(path)
        assert header == HUBSPOT_HEADER


def test_segment_sizes_match_exported_plus_refused(pipeline) -> None:
    env, *_ = pipeline
    for path in sorted(env.exports.glob("*/*/manifest.json")):
        manifest = json.loads(path.read_text())
        [(size,)] = query(env, f"select count(*) from marts.segment_{manifest['segment']}")
        assert manifest["rows"] + sum(manifest["refused"].values()) == size


def test_second_run_loads_nothing_twice_and_keeps_person_ids(pipeline) -> None:
    env, _, second, identities_after_first_run = pipeline
    assert json.loads(second)["files_loaded"] == []
    [(loaded,)] = query(
        env, "select count(distinct file_path) from meta.ingested_files where status = 'loaded'"
    )
    # Hidden files are not exports (the demo marker, .cdp-demo-data.json, is one).
    files = sum(1 for p in env.landing.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert loaded == files
    assert set(query(env, IDENTITY_SQL)) == identities_after_first_run
    [(duplicates,)] = query(
        env,
        "select count(*) from (select id from raw.shopify_orders group by id having count(*) > 1)",
    )
    assert duplicates == 0


def test_dbt_unit_tests_pass(pipeline, tmp_path: Path) -> None:
    """dbt's unit tests (identity guards, survivorship, consent precedence, vocabularies, …) are
    left out of pipeline runs (orchestration/defs/transform.py: PIPELINE_BUILD_FLAGS) and run
    here, against a warehouse the pipeline built, as dbt recommends for CI."""
    import subprocess
    import sys

    from orchestration.dbt_project import DBT_PROJECT_DIR

    env, *_ = pipeline
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")), "test", "--select", "test_type:unit",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        ],
        env=env.environ(),
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:]
    assert "PASS=" in result.stdout and " ERROR=0 " in result.stdout, result.stdout[-2000:]
