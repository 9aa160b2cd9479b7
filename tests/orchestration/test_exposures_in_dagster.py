"""The exports' dbt exposures (exports/exposures.py) stay out of the Dagster graph: each export is
one asset, `exports/<destination>/<segment>`, and no exposure adds a second one."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from cdp.core.settings import Settings
from orchestration.dbt_project import dbt_project, prepare_manifest


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    root = tmp_path_factory.mktemp("defs")
    prepare_manifest(Settings.from_env({"CDP_WAREHOUSE": str(root / "cdp.duckdb")}))
    from orchestration.definitions import defs as definitions

    return definitions


def test_one_export_asset_per_exposure_and_no_exposure_asset(defs: dg.Definitions) -> None:
    exposures = json.loads(dbt_project.manifest_path.read_text())["exposures"].values()
    pairs = {
        f"exports/{e['config']['meta']['destination']}/{e['config']['meta']['segment']}"
        for e in exposures
    }
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert pairs and pairs == {key for key in keys if key.startswith("exports/")}
    assert not any(e["name"] in key for e in exposures for key in keys)
