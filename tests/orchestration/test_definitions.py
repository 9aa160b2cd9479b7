"""The Dagster definitions load, and the asset graph runs from source files to export files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dagster as dg

from ingestion.sources import SOURCES
from orchestration.dbt_project import dbt_project
from orchestration.resources import CdpSettingsResource

REPO = Path(__file__).resolve().parents[2]


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


def test_report_follows_every_export_in_the_daily_job(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    report = graph.get(dg.AssetKey(["report", "cdp_report"]))
    exports = {key for key in graph.get_all_asset_keys() if key.path[0] == "exports"}
    assert exports and set(report.parent_keys) == exports
    assert report.group_name == "reporting"
    job = defs.resolve_job_def("cdp_daily")
    assert dg.AssetKey(["report", "cdp_report"]) in job.asset_layer.selected_asset_keys


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


def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


def _dbt_asset_key(manifest: dict, unique_id: str) -> dg.AssetKey:
    # Imported here: the module builds its dbt assets from the manifest the `defs` fixture parses.
    from orchestration.defs.transform import translator

    return translator.get_asset_spec(manifest, unique_id, dbt_project).key


def test_every_asset_is_in_a_named_group_with_an_owner(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    unnamed = [
        k.to_user_string()
        for k in graph.get_all_asset_keys()
        if graph.get(k).group_name in (None, "default")
    ]
    unowned = [k.to_user_string() for k in graph.get_all_asset_keys() if not graph.get(k).owners]
    assert not unnamed, f"in group 'default': {unnamed}"
    assert not unowned, f"without an owner: {unowned}"
    segments = graph.get(dg.AssetKey(["marts", "segment_vip_customers"]))
    assert (segments.group_name, segments.owners) == ("segments", ["team:marketing-ops"])


def test_models_holding_identifiers_are_tagged_pii(defs: dg.Definitions) -> None:
    """A model with a column declared as an identifier (column meta `identifier_type`, the one
    place that says which columns hold personal data) carries the `pii` tag."""
    graph = defs.resolve_asset_graph()
    manifest = _manifest()
    untagged = [
        node["name"]
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and any(
            (column.get("config", {}).get("meta") or column.get("meta") or {}).get(
                "identifier_type", "none"
            )
            != "none"
            for column in node["columns"].values()
        )
        and "pii" not in graph.get(_dbt_asset_key(manifest, unique_id)).tags
    ]
    assert not untagged, f"models with identifier columns but no pii tag: {untagged}"
    layers = {graph.get(k).tags.get("layer") for k in graph.get_all_asset_keys()}
    assert {"landing", "raw", "staging", "intermediate", "mart", "export"} <= layers


def test_every_mart_declares_its_column_types(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    manifest = _manifest()
    marts = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/marts/")
    ]
    assert len(marts) >= 15
    untyped = []
    for unique_id in marts:
        key = _dbt_asset_key(manifest, unique_id)
        schema = graph.get(key).metadata.get("dagster/column_schema")
        columns = schema.columns if schema else []
        if not columns or any(column.type in ("", "?") for column in columns):
            untyped.append(key.to_user_string())
    assert not untyped, f"marts without a typed column schema: {untyped}"


def test_segment_memberships_is_built_after_every_segment(defs: dg.Definitions) -> None:
    """It reads the history the segments' post-hooks write: every model with meta.segment is
    upstream of it in dbt, hence in the asset graph."""
    manifest = _manifest()
    memberships = manifest["nodes"]["model.cdp.segment_memberships"]
    segments = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and (node["config"].get("meta") or {}).get("segment")
    }
    assert len(segments) >= 6
    assert segments <= set(memberships["depends_on"]["nodes"])
    parents = defs.resolve_asset_graph().get(_dbt_asset_key(manifest, memberships["unique_id"]))
    assert {_dbt_asset_key(manifest, s) for s in segments} <= parents.parent_keys


def test_every_singular_test_is_an_asset_check(defs: dg.Definitions) -> None:
    manifest = _manifest()
    singular = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node["original_file_path"].startswith("tests/singular/")
    }
    assert len(singular) >= 7
    check_names = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert not singular - check_names, f"not asset checks: {sorted(singular - check_names)}"


def test_the_graph_starts_at_the_landing_folders(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    landing = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "landing"}
    assert {k.to_user_string() for k in landing} == {
        f"landing/{tool}" for tool in {spec.tool for spec in SOURCES.values()}
    }
    for spec in SOURCES.values():
        raw = graph.get(dg.AssetKey(["raw", spec.table]))
        assert dg.AssetKey(["landing", spec.tool]) in raw.parent_keys, spec.table
    for key in landing:
        assert not graph.get(key).is_materializable  # written by people or a sync tool
        assert "/" in (graph.get(key).description or "")


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
