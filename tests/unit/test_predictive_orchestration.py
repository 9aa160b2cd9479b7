"""The predictive asset sits between two named dbt steps, and one as_of drives them both."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from orchestration.dbt_project import prepare_manifest


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory):
    os.environ.setdefault("CDP_WAREHOUSE", str(tmp_path_factory.mktemp("defs") / "cdp.duckdb"))
    prepare_manifest()
    from orchestration.definitions import defs as definitions

    return definitions


def test_the_job_runs_dbt_then_predictions_then_the_dbt_models_that_read_them(defs) -> None:
    import dagster as dg
    from dagster._core.definitions.dependency import NodeHandle

    job = defs.resolve_job_def("cdp_daily")
    steps = {
        name: {
            key.to_user_string()
            for key in job.asset_layer.get_assets_def_for_node(NodeHandle(name, None)).keys
        }
        for name in job.graph.node_dict
        if "dbt" in name or "predictive" in name
    }
    # Exactly three steps: no op-level cycle for Dagster to split into unnamed subsets.
    assert set(steps) == {
        "cdp_dbt_models",
        "predictive__customer_predictions",
        "cdp_dbt_prediction_models",
    }
    assert steps["cdp_dbt_prediction_models"] == {
        "intermediate/int_person_predictions",
        "marts/crm_contacts",
        "marts/segment_high_churn_risk",
    }
    assert "marts/profiles" in steps["cdp_dbt_models"]
    graph = defs.resolve_asset_graph()
    predictions = dg.AssetKey(["predictive", "customer_predictions"])
    assert (
        dg.AssetKey(["intermediate", "int_purchase_summary"]) in graph.get(predictions).parent_keys
    )
    assert (
        predictions
        in graph.get(dg.AssetKey(["intermediate", "int_person_predictions"])).parent_keys
    )


def test_the_second_dbt_step_inherits_the_runs_as_of() -> None:
    from orchestration.defs.predictive import _run_wide_config
    from orchestration.defs.transform import DbtRunConfig

    run_config = {
        "ops": {
            "cdp_dbt_models": {"config": {"as_of": "2025-06-30 12:00:00", "full_refresh": True}}
        }
    }
    context = SimpleNamespace(run=SimpleNamespace(run_config=run_config))
    inherited = _run_wide_config(context, DbtRunConfig())  # type: ignore[arg-type]
    assert (inherited.as_of, inherited.full_refresh) == ("2025-06-30 12:00:00", True)
    own = _run_wide_config(context, DbtRunConfig(as_of="2025-01-01 00:00:00"))  # type: ignore[arg-type]
    assert own.as_of == "2025-01-01 00:00:00"
    alone = SimpleNamespace(run=SimpleNamespace(run_config={}))
    assert _run_wide_config(alone, DbtRunConfig()).as_of == ""  # type: ignore[arg-type]
