"""The exports' dbt exposures (exports/exposures.py): the committed file matches the segments'
meta, and dbt reads one exposure per destination of every segment."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from exports.exposures import EXPOSURES_FILE, render_exposures
from exports.segments import load_segment_specs


def test_the_committed_exposures_match_the_segments_meta(dbt_manifest: Path) -> None:
    specs = load_segment_specs(dbt_manifest)
    assert EXPOSURES_FILE.read_text(encoding="utf-8") == render_exposures(specs), (
        f"{EXPOSURES_FILE.name} is out of date with the segments' meta.segment: run "
        "`cdp exposures` and commit the file."
    )


def test_a_changed_destination_list_changes_the_exposures(dbt_manifest: Path) -> None:
    specs = load_segment_specs(dbt_manifest)
    vip = next(spec for spec in specs if spec.name == "vip_customers")
    others = [spec for spec in specs if spec is not vip]
    fewer = render_exposures([*others, replace(vip, destinations=("mailchimp",))])
    assert fewer != render_exposures(specs)
    assert "vip_customers_to_mailchimp" in fewer
    assert "vip_customers_to_hubspot" not in fewer


def test_dbt_reads_one_exposure_per_destination_and_segment(dbt_manifest: Path) -> None:
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    specs = load_segment_specs(dbt_manifest)
    expected = {
        (f"model.cdp.{spec.model_name}", destination)
        for spec in specs
        for destination in spec.destinations
    }
    exposures = manifest["exposures"].values()
    found = {
        (exposure["depends_on"]["nodes"][0], exposure["config"]["meta"]["destination"])
        for exposure in exposures
    }
    assert found == expected
    assert all(exposure["type"] == "application" for exposure in exposures)
    assert all(len(exposure["depends_on"]["nodes"]) == 1 for exposure in exposures)
