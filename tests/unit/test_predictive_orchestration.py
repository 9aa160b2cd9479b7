"""The Python assets (the matcher, the predictions) sit between named dbt steps, and one as_of
drives them all."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from orchestration.dbt_project import run_vars
from orchestration.resources import CdpSettingsResource, DbtRunResource


def test_the_job_runs_matching_and_predictions_between_named_dbt_steps(defs) -> None:
    import dagster as dg
    from dagster._core.definitions.dependency import NodeHandle

    job = defs.resolve_job_def("cdp_daily")
    steps = {
        name: {
            key.to_user_string()
            for key in job.asset_layer.get_assets_def_for_node(NodeHandle(name, None)).keys
        }
        for name in job.graph.node_dict
        if "dbt" in name or "predictive" in name or "matching" in name
    }
    # Exactly five steps: no op-level cycle for Dagster to split into unnamed subsets.
    assert set(steps) == {
        "cdp_dbt_matching_inputs",
        "identity_matching__record_pairs",
        "cdp_dbt_models",
        "predictive__customer_predictions",
        "cdp_dbt_prediction_models",
    }
    # The models that read the predictions, directly or through profiles (which carries the
    # predictive traits): the CRM marts and the segments built on profiles; segment_memberships
    # summarises every segment, so it runs after them too.
    assert steps["cdp_dbt_prediction_models"] == {
        "intermediate/int_person_predictions",
        "marts/profiles",
        "marts/crm_contacts",
        "marts/crm_contact_merges",
        "marts/segment_high_churn_risk",
        "marts/segment_inactive_90_days",
        "marts/segment_in_store_only_shoppers",
        "marts/segment_subscribers_never_bought",
        "marts/segment_vip_customers",
        "marts/segment_memberships",
    }
    # What the fit reads is built before it: no cycle through profiles.
    assert "intermediate/int_purchase_summary" in steps["cdp_dbt_models"]
    assert "marts/segment_abandoned_checkout" in steps["cdp_dbt_models"]
    # The matcher reads the candidate records of the first step; identity reads its pairs.
    assert "intermediate/int_identity_candidate_records" in steps["cdp_dbt_matching_inputs"]
    assert "intermediate/int_identity_probabilistic_links" in steps["cdp_dbt_models"]
    assert "staging/stg_shopify__orders" in steps["cdp_dbt_matching_inputs"]
    graph = defs.resolve_asset_graph()
    pairs = dg.AssetKey(["identity_matching", "record_pairs"])
    assert (
        dg.AssetKey(["intermediate", "int_identity_candidate_records"])
        in graph.get(pairs).parent_keys
    )
    assert (
        pairs
        in graph.get(dg.AssetKey(["intermediate", "int_identity_probabilistic_links"])).parent_keys
    )
    predictions = dg.AssetKey(["predictive", "customer_predictions"])
    assert (
        dg.AssetKey(["intermediate", "int_purchase_summary"]) in graph.get(predictions).parent_keys
    )
    assert (
        predictions
        in graph.get(dg.AssetKey(["intermediate", "int_person_predictions"])).parent_keys
    )


def test_the_second_dbt_step_inherits_the_runs_as_of(defs, tmp_path) -> None:
    import dagster as dg

    from orchestration.defs.predictive import cdp_dbt_prediction_models
    from orchestration.defs.transform import cdp_dbt_matching_inputs, cdp_dbt_models, run_dbt_step

    # Every dbt step reads the run's dbt options from one run-wide resource, set once per run.
    for step in (cdp_dbt_matching_inputs, cdp_dbt_models, cdp_dbt_prediction_models):
        assert "dbt_run" in step.required_resource_keys
    run_config = {
        "resources": {"dbt_run": {"config": {"as_of": "2025-06-30 12:00:00", "full_refresh": True}}}
    }
    assert dg.validate_run_config(defs.resolve_job_def("cdp_daily"), run_config)

    settings = CdpSettingsResource(warehouse=str(tmp_path / "cdp.duckdb"))

    def dbt_args(dbt_run: DbtRunResource) -> list[str]:
        """The arguments the step gives dbt (the fake dbt stops the step there)."""
        seen: list[list[str]] = []

        def cli(args, **_):
            seen.append(args)
            raise StopIteration

        context = SimpleNamespace(
            selected_asset_check_keys=[], assets_def=SimpleNamespace(asset_deps={})
        )
        step = run_dbt_step(context, SimpleNamespace(cli=cli), None, settings, dbt_run)  # type: ignore[arg-type]
        with pytest.raises(RuntimeError):  # StopIteration inside a generator
            next(step)
        return seen[0]

    inherited = dbt_args(DbtRunResource(**run_config["resources"]["dbt_run"]["config"]))
    as_of = json.loads(inherited[inherited.index("--vars") + 1])["as_of"]
    assert (as_of, "--full-refresh" in inherited) == ("2025-06-30 12:00:00", True)
    # The builds pass dbt the same vars as the parse (`prepare_manifest`): no full re-parse.
    assert inherited[inherited.index("--vars") + 1] == run_vars(
        settings.settings(), "2025-06-30 12:00:00"
    )
    alone = dbt_args(DbtRunResource())
    assert json.loads(alone[alone.index("--vars") + 1])["as_of"] == ""
    assert "--full-refresh" not in alone
