"""Failures stay local (issue 12, docs/ingestion.md "What blocks what, and why").

One landing folder, three runs:
1. the demo exports with the Square customer directory's subscription column rewritten in
   lower case and a few values outside the vocabulary: the run exits 0, resolves people,
   builds profiles and segments, writes the export files, and lists the unknown values (file,
   line, column, value) in marts.data_quality_warnings and in the summary;
2. the same folder with `--strict`: the warnings now fail the run (exit 1);
3. a new Mailchimp export of 1,500 unknown members shifts the identity graph's size
   distribution past `identity_health_max_distribution_shift`: that error-severity test on
   marts.identity_graph_health fails, the run exits 1 naming the step and the test, and the
   exports, whose segments do not descend from that model, are still written.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from exports.segments import load_segment_specs
from orchestration.dbt_project import dbt_project
from tests.conftest import AS_OF, CdpEnv, query

pytestmark = pytest.mark.e2e

UNKNOWN_VALUES = ["Maybe", "opted in", "Oui!"]
SUBSCRIPTION = "Email Subscription Status"


def rewrite_square_customers(landing: Path) -> dict:
    """Lower-cases every subscription status, puts UNKNOWN_VALUES on three customers with an
    email and Square's own `Unknown` on a fourth; returns what the test expects."""
    [path] = sorted((landing / "square").glob("customers-*.csv"))
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, records = rows[0], rows[1:]
    status, email, customer = (
        header.index(SUBSCRIPTION),
        header.index("Email Address"),
        header.index("Square Customer ID"),
    )
    for record in records:
        record[status] = record[status].lower()
    with_email = [i for i, r in enumerate(records) if r[email].strip() and r[status]]
    unknown_rows = {}
    for value, i in zip(UNKNOWN_VALUES, with_email, strict=False):
        records[i][status] = value
        unknown_rows[records[i][customer]] = (value, i + 2)  # header is line 1
    records[with_email[len(UNKNOWN_VALUES)]][status] = "Unknown"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *records])
    return {
        "file": f"square/{path.name}",
        "unknown": unknown_rows,
        "subscribed": sum(r[status] == "subscribed" for r in records),
        "unsubscribed": sum(r[status] == "unsubscribed" for r in records),
    }


def add_mailchimp_members(landing: Path, count: int) -> None:
    """A second audience export: `count` subscribed members nobody else knows."""
    [template] = sorted((landing / "mailchimp").glob("subscribed_members_export_*.csv"))
    with template.open(newline="") as handle:
        header = next(csv.reader(handle))
    path = landing / "mailchimp" / "subscribed_members_export_newsletter2025.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for n in range(count):
            writer.writerow(
                {
                    "Email Address": f"reader{n:05d}@newsletter-signups.example.org",
                    "First Name": "Reader",
                    "Last Name": f"N{n:05d}",
                    "MEMBER_RATING": "2",
                    "OPTIN_TIME": "2025-05-01 10:00:00",
                    "CONFIRM_TIME": "2025-05-01 10:05:00",
                    "LAST_CHANGED": "2025-05-01 10:05:00",
                    "LEID": str(900000000 + n),
                    "EUID": f"nl{n:08x}",
                }
            )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    env = CdpEnv(tmp_path_factory.mktemp("local"))
    env.cdp("demo-data", "--people", "300", "--seed", "5", "--as-of", AS_OF)
    expected = rewrite_square_customers(env.landing)
    first = env.cdp("run", "--as-of", AS_OF, check=False)
    specs = load_segment_specs(dbt_project.manifest_path)
    facts = {
        "env": env,
        "expected": expected,
        "first": first,
        "people": query(env, "select count(distinct person_id) from marts.person_identifiers"),
        "profiles": query(env, "select count(*) from marts.profiles"),
        "segments": {s.name: query(env, f"select count(*) from {s.relation}") for s in specs},
        "exported": set(query(env, "select destination, segment from meta.export_runs")),
        "warnings": query(
            env,
            "select column_name, raw_value, source_file, line_number, record_number, became "
            "from marts.data_quality_warnings order by line_number",
        ),
    }
    facts["strict"] = env.cdp("run", "--as-of", AS_OF, "--strict", check=False)
    add_mailchimp_members(env.landing, 1500)
    facts["third_started"] = datetime.now(UTC).replace(tzinfo=None)
    facts["third"] = env.cdp("run", "--as-of", AS_OF, check=False)
    return facts


def test_lower_case_and_unknown_statuses_do_not_stop_the_run(runs) -> None:
    first = runs["first"]
    assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-3000:]
    [(people,)] = runs["people"]
    assert people >= 300 * 0.9
    assert runs["profiles"] == [(people,)]
    specs = load_segment_specs(dbt_project.manifest_path)
    assert set(runs["segments"]) == {spec.name for spec in specs}  # every segment table built
    assert sum(count for [(count,)] in runs["segments"].values()) > 0
    assert {(d, spec.name) for spec in specs for d in spec.destinations} <= runs["exported"]


def test_lower_case_statuses_are_read_and_unknown_ones_are_no_consent(runs) -> None:
    env: CdpEnv = runs["env"]
    expected = runs["expected"]
    counts = dict(
        query(
            env,
            "select coalesce(email_subscription_status, 'empty'), count(*) "
            "from staging.stg_square__customers group by 1",
        )
    )
    assert counts["subscribed"] == expected["subscribed"]
    assert counts["unsubscribed"] == expected["unsubscribed"]
    assert counts["unknown"] == len(expected["unknown"]) + 1  # + Square's own Unknown
    ids = list(expected["unknown"])
    placeholders = ", ".join("?" for _ in ids)
    assert query(
        env,
        "select count(*) from staging.stg_square__customers "
        f"where square_customer_id in ({placeholders}) and is_email_subscribed is not null",
        ids,
    ) == [(0,)]
    assert query(
        env,
        "select count(*) from intermediate.int_consent_events as e "
        "inner join staging.stg_square__customers as s "
        "on e.source_table = 'square_customers' and e.source_record_id = s.source_record_id "
        f"where s.square_customer_id in ({placeholders})",
        ids,
    ) == [(0,)]


def test_unknown_values_are_warning_rows_with_file_line_column_and_value(runs) -> None:
    expected = runs["expected"]
    wanted = sorted(
        ("email_subscription_status", value, expected["file"], line, line - 1, "unknown")
        for value, line in expected["unknown"].values()
    )
    assert sorted(w for w in runs["warnings"] if w[2] == expected["file"]) == wanted
    out = runs["first"].stdout
    assert "unknown vocabulary value" in out
    assert "square_customers.email_subscription_status" in out
    assert "'Maybe'" in out and "`cdp run --strict` would fail" in out


def test_strict_makes_the_same_warnings_fail_the_run(runs) -> None:
    strict = runs["strict"]
    assert strict.returncode == 1, strict.stdout[-3000:]
    assert "--strict" in strict.stdout and "unknown vocabulary value" in strict.stdout


def test_a_failing_mart_test_fails_the_run_but_unrelated_exports_still_run(runs) -> None:
    third = runs["third"]
    out = third.stdout
    assert third.returncode == 1, out[-5000:]
    assert "cdp_dbt_models" in out and "identity_health_size_distribution_shift" in out
    assert "The run failed" in out
    assert "marts/identity_graph_health" in out  # built, not published
    env: CdpEnv = runs["env"]
    # The new members are resolved, profiled and exported: the exports do not descend from the
    # health model whose test failed.
    [(profiles,)] = query(env, "select count(*) from marts.profiles")
    assert profiles >= 1500
    exported = query(
        env,
        "select distinct destination, segment from meta.export_runs where started_at >= ?",
        [runs["third_started"]],
    )
    specs = load_segment_specs(dbt_project.manifest_path)
    assert {(d, s.name) for s in specs for d in s.destinations} <= set(exported)
    manifest = json.loads(
        (env.exports / "mailchimp" / "subscribers_never_bought" / "manifest.json").read_text()
    )
    assert manifest["rows"] >= 1500
