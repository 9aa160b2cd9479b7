"""The Dagster asset checks on the raw tables, and `cdp status`, on a small warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.audit import reconcile, validation_findings
from ingestion.loader import load_source
from ingestion.sources import SOURCES
from orchestration.defs.ingestion import raw_asset_key, raw_assets
from orchestration.defs.ingestion_checks import GREAT_EXPECTATIONS, ROWS_RECONCILE, raw_table_checks
from orchestration.resources import CdpSettingsResource, WarehouseResource
from tests.conftest import CdpEnv

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "bad_files"


@pytest.fixture
def env(tmp_path: Path) -> CdpEnv:
    """A landing folder with a clean file, a file with unloadable records and a broken one."""
    cdp = CdpEnv(tmp_path)
    for case in ("wrong_field_count", "money", "truncated_json", "invalid_json_lines"):
        shutil.copytree(CASES / case, cdp.landing, dirs_exist_ok=True)
    cdp.warehouse.parent.mkdir(parents=True)
    return cdp


def load_all(env: CdpEnv) -> None:
    conn = duckdb.connect(str(env.warehouse))
    try:
        for spec in SOURCES.values():
            load_source(conn, spec, env.landing)
    finally:
        conn.close()


def run_checks(env: CdpEnv) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    """Runs only the raw-table checks (the assets are already materialised) in-process."""
    checks = [
        dg.AssetCheckKey(raw_asset_key(table), name)
        for table in ("mailchimp_members", "square_transactions", "shopify_web_events")
        for name in (ROWS_RECONCILE, GREAT_EXPECTATIONS)
    ]
    defs = dg.Definitions(
        assets=raw_assets,
        asset_checks=[raw_table_checks],
        jobs=[dg.define_asset_job("raw_checks", selection=dg.AssetSelection.checks(*checks))],
        resources={
            "warehouse": WarehouseResource(path=str(env.warehouse)),
            "cdp_settings": CdpSettingsResource(landing_dir=str(env.landing)),
        },
    )
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("raw_checks").execute_in_process(
            instance=instance, raise_on_error=False
        )
    return {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}


def test_checks_pass_on_reconciled_tables_and_warn_on_failed_expectations(env: CdpEnv) -> None:
    load_all(env)
    evaluations = run_checks(env)

    assert evaluations[("mailchimp_members", ROWS_RECONCILE)].passed
    reconciled = evaluations[("mailchimp_members", ROWS_RECONCILE)].metadata
    assert (reconciled["rows_read"].value, reconciled["rows_quarantined"].value) == (6, 3)
    assert evaluations[("shopify_web_events", GREAT_EXPECTATIONS)].passed
    money = evaluations[("square_transactions", GREAT_EXPECTATIONS)]
    assert not money.passed and money.severity == dg.AssetCheckSeverity.WARN
    assert "1.234,50" in money.metadata["failures"].value


def test_reconcile_check_fails_when_a_row_is_lost_or_doubled(env: CdpEnv) -> None:
    load_all(env)
    conn = duckdb.connect(str(env.warehouse))
    try:
        conn.execute("delete from raw.mailchimp_members where euid = 'eu1'")
        conn.execute(
            "insert into raw.shopify_web_events by name select * replace "
            "('shopify/elsewhere.jsonl' as _source_file) from raw.shopify_web_events limit 1"
        )
        members = reconcile(conn, "mailchimp_members")
        events = reconcile(conn, "shopify_web_events")
    finally:
        conn.close()
    assert members.problems == [
        "mailchimp/subscribed_members_export_fields.csv: manifest says 3 loaded, "
        "raw.mailchimp_members holds 2"
    ]
    assert events.problems == [
        "shopify/elsewhere.jsonl: 1 raw row(s) from a file the manifest does not list"
    ]

    evaluations = run_checks(env)
    failed = evaluations[("mailchimp_members", ROWS_RECONCILE)]
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert "holds 2" in failed.metadata["problems"].value


def test_validation_results_are_kept_per_file(env: CdpEnv) -> None:
    load_all(env)
    conn = duckdb.connect(str(env.warehouse), read_only=True)
    try:
        findings = validation_findings(conn, "square_transactions")
    finally:
        conn.close()
    assert {f.file_path for f in findings} == {"square/transactions-money.csv"}
    failed = {(f.column, f.unexpected_count) for f in findings if not f.success}
    assert failed == {("gross_sales", 1), ("net_sales", 1), ("total_collected", 1)}


def test_cdp_status_shows_the_manifest_quarantine_and_rejections(env: CdpEnv) -> None:
    load_all(env)
    result = env.cdp("status", check=False)

    assert result.returncode == 1, result.stdout  # a file is rejected
    out = result.stdout
    assert "Ingestion manifest" in out and "mailchimp_members" in out
    assert "Rejected files" in out and "orders_cut.json" in out
    assert "invalid JSON (truncated or malformed)" in out
    assert "Latest quarantines" in out and "wrong number of fields" in out
    assert "Failed expectations" in out and "gross_sales" in out
    assert "Traceback" not in result.stderr


def test_cdp_status_without_a_warehouse_is_one_clear_line(tmp_path: Path) -> None:
    result = CdpEnv(tmp_path).cdp("status", check=False)

    assert result.returncode == 1
    assert "No warehouse at" in result.stdout and "cdp run" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
