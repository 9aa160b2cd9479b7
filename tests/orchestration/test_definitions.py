"""The Dagster definitions load, and the asset graph runs from source files to export files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from cdp.core.settings import Settings
from orchestration.dbt_project import prepare_manifest
from orchestration.resources import CdpSettingsResource

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    root = tmp_path_factory.mktemp("defs")
    prepare_manifest(Settings.from_env({"CDP_WAREHOUSE": str(root / "cdp.duckdb")}))
    from orchestration.definitions import defs as definitions

    return definitions


def test_asset_graph_runs_from_raw_files_to_export_files(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {"raw/shopify_orders", "raw/square_transactions", "raw/mailchimp_members"} <= keys
    assert {
        "marts/profiles",
        "marts/person_identifiers",
        "marts/crm_contacts",
        "marts/crm_activities",
    } <= keys
    assert {"exports/mailchimp/vip_customers", "exports/hubspot/abandoned_checkout"} <= keys
    # The export of a segment depends, through dbt, on the raw tables it is built from.
    ancestors: set[dg.AssetKey] = set()
    frontier = [dg.AssetKey(["exports", "mailchimp", "vip_customers"])]
    while frontier:
        for parent in graph.get(frontier.pop()).parent_keys:
            if parent not in ancestors:
                ancestors.add(parent)
                frontier.append(parent)
    assert {
        dg.AssetKey(["raw", "shopify_orders"]),
        dg.AssetKey(["raw", "phone_numbers"]),
    } <= ancestors


def test_dbt_tests_are_asset_checks(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    check_keys = graph.asset_check_keys
    profile_checks = {
        c.name for c in check_keys if c.asset_key == dg.AssetKey(["marts", "profiles"])
    }
    assert any(name.startswith("unique_profiles_person_id") for name in profile_checks)


def test_job_schedule_and_sensor_exist(defs: dg.Definitions) -> None:
    assert defs.resolve_job_def("cdp_daily") is not None
    assert defs.resolve_schedule_def("cdp_daily_schedule").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("landing_folder_sensor") is not None


def test_sensor_requests_a_run_only_when_files_change(tmp_path: Path, defs) -> None:
    landing = tmp_path / "landing"
    (landing / "shopify").mkdir(parents=True)
    resources = {"cdp_settings": CdpSettingsResource(landing_dir=str(landing))}
    sensor = defs.resolve_sensor_def("landing_folder_sensor")
    with dg.instance_for_test() as instance:
        empty = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, resources=resources)
        )
        assert not empty.run_requests
        (landing / "shopify" / "orders_0001.json").write_text('{"orders": []}')
        first = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, resources=resources)
        )
        assert len(first.run_requests) == 1
        again = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=resources)
        )
        assert not again.run_requests


def test_dagster_definitions_validate(defs: dg.Definitions) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate",
         "-m", "orchestration.definitions"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_every_step_of_the_job_belongs_to_one_progress_stage(defs: dg.Definitions) -> None:
    """`cdp run` shows one bar per stage (cdp/cli/progress.py): every step is counted once."""
    from cdp.cli.progress import plan_stages

    job = defs.resolve_job_def("cdp_daily")
    stages = plan_stages(job)
    names = [stage.name for stage in stages]
    assert names[0] == "ingestion"
    assert {"ingestion", "matching", "predictive", "exports", "dbt models"} <= set(names)
    assert len(names) == len(set(names))
    steps = [step for stage in stages for step in stage.units]
    assert sorted(steps) == sorted(node.name for node in job.nodes_in_topological_order)
    assert all(stage.total > 0 for stage in stages)
    assert [stage.name for stage in stages if stage.is_dbt] == [
        name for name in names if name.startswith("dbt ")
    ]
