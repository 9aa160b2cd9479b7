"""How `cdp run` judges a finished run: failures, skipped steps, warnings and `--strict`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
from rich.console import Console

from cdp.cli.runner import judge_run
from cdp.cli.summary import RunSummary, collect_warnings
from orchestration.run_outcome import judge_events


def observation(step: str, asset: str, status: str, node: str, resource: str, message: str = ""):
    data = SimpleNamespace(
        asset_observation=dg.AssetObservation(
            asset_key=dg.AssetKey(asset.split("/")),
            metadata={
                "cdp/dbt_status": status,
                "cdp/dbt_node": node,
                "cdp/dbt_resource_type": resource,
                "cdp/dbt_message": message or status,
                "cdp/dbt_failures": 3 if resource == "test" else 0,
            },
        )
    )
    return SimpleNamespace(
        event_type_value="ASSET_OBSERVATION", step_key=step, event_specific_data=data
    )


def check(step: str, asset: str, name: str, severity: str, passed: bool = False, **metadata):
    data = SimpleNamespace(
        passed=passed,
        metadata=metadata,
        asset_key=dg.AssetKey(asset.split("/")),
        check_name=name,
        severity=dg.AssetCheckSeverity(severity),
        description=None,
    )
    return SimpleNamespace(
        event_type_value="ASSET_CHECK_EVALUATION", step_key=step, event_specific_data=data
    )


def skipped(step: str):
    return SimpleNamespace(event_type_value="STEP_SKIPPED", step_key=step)


def judge(events, summary=None, strict=False) -> tuple[bool, str]:
    console = Console(record=True, width=200)
    ok = judge_run(events, summary or RunSummary(), console, strict=strict)
    return ok, console.export_text()


def test_a_warning_test_is_a_warning_and_strict_makes_it_fail() -> None:
    events = [observation("cdp_dbt_models", "staging/stg_x", "warn", "accepted_values_x", "test")]
    outcome = judge_events(events)
    assert outcome.dbt_warnings == [("accepted_values_x", "staging/stg_x", 3, "cdp_dbt_models")]
    assert not outcome.failed
    ok, text = judge(events)
    assert ok and "dbt test warned" in text and "would fail" in text
    ok, text = judge(events, strict=True)
    assert not ok and "--strict" in text


def test_a_failed_error_test_fails_the_run_naming_step_test_and_model() -> None:
    events = [
        observation("cdp_dbt_models", "marts/identity_graph_health", "fail",
                    "identity_health_size_distribution_shift", "test", "Got 1 result"),
        observation("cdp_dbt_models", "marts/identity_graph_health", "withheld",
                    "identity_graph_health", "model", "built, not published"),
    ]  # fmt: skip
    ok, text = judge(events)
    assert not ok
    assert "cdp_dbt_models" in text and "identity_health_size_distribution_shift" in text
    assert "Not built: marts/identity_graph_health" in text


def test_skipped_export_steps_are_named_and_fail_the_run() -> None:
    events = [
        observation("cdp_dbt_models", "marts/segment_vip_customers", "error",
                    "segment_vip_customers", "model", "Binder Error"),
        skipped("exports__mailchimp__vip_customers"),
    ]  # fmt: skip
    ok, text = judge(events)
    assert not ok
    assert "exports__mailchimp__vip_customers" in text and "segment_vip_customers" in text


def test_dbt_checks_are_judged_through_observations_other_checks_by_severity() -> None:
    dbt_check = check("cdp_dbt_models", "marts/profiles", "unique_x", "ERROR", unique_id="test.x")
    assert not judge_events([dbt_check]).failed
    consent = check("exports__mailchimp__vip", "exports/mailchimp/vip",
                    "only_consented_unsuppressed_people", "ERROR")  # fmt: skip
    assert judge_events([consent]).failures
    gx = check("raw_table_checks", "raw/square_customers", "great_expectations", "WARN")
    outcome = judge_events([gx])  # GX findings come from the warehouse instead
    assert not outcome.failed and not outcome.check_warnings


def test_a_rejected_file_fails_the_run_and_is_named() -> None:
    summary = RunSummary(
        files=[("square_customers", "square/customers-x.csv", "rejected", 0, "missing column")]
    )
    ok, text = judge([], summary)
    assert not ok and "square/customers-x.csv" in text and "missing column" in text


def test_warning_classes_come_with_counts_and_examples(tmp_path: Path) -> None:
    conn = duckdb.connect()
    conn.execute("create schema marts; create schema raw; create schema meta")
    conn.execute(
        "create table marts.data_quality_warnings as select * from (values "
        "('square_customers', 'email_subscription_status', 'Maybe', 'square/c.csv', 3, 2), "
        "('square_customers', 'email_subscription_status', 'Oui', 'square/c.csv', 5, 4), "
        "('shopify_web_events', 'event_name', 'Wished', 'shopify/w.jsonl', null, 7)"
        ") as t(source_table, column_name, raw_value, source_file, line_number, record_number)"
    )
    conn.execute(
        "create table meta.ingested_files as select 'square_customers' as source_table, "
        "'square/c.csv' as file_path, 'abc' as sha256, 'loaded' as status"
    )
    conn.execute(
        "create table raw.quarantined_rows as select 'square_customers' as source_table, "
        "'square/c.csv' as source_file, 'abc' as file_sha256, 9 as line_number, "
        "8 as record_number, 'required field ''Square Customer ID'' is empty' as reason"
    )
    (tmp_path / "square").mkdir()
    (tmp_path / "square" / "notes.txt").write_text("hello")
    found = {(w.kind, w.what): w for w in collect_warnings(conn, tmp_path)}
    vocabulary = found[("unknown vocabulary value → unknown",
                        "square_customers.email_subscription_status")]  # fmt: skip
    assert vocabulary.count == 2
    assert vocabulary.examples == ["'Maybe' (square/c.csv line 3)", "'Oui' (square/c.csv line 5)"]
    events = found[("unknown vocabulary value → unknown", "shopify_web_events.event_name")]
    assert events.examples == ["'Wished' (shopify/w.jsonl record 7)"]
    quarantine = found[("quarantined record", "required field 'Square Customer ID' is empty")]
    assert (quarantine.count, quarantine.examples) == (1, ["square/c.csv line 9"])
    unrecognised = [w for w in found.values() if w.kind.startswith("unrecognised")]
    assert unrecognised[0].examples == ["square/notes.txt"]
