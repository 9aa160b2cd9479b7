"""The exports' dbt exposures (exports/exposures.py) stay out of the Dagster graph (each export is
one asset, `exports/<destination>/<segment>`, and no exposure adds a second one), and
`cdp exposures` checks and rewrites the committed file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import dagster as dg
import pytest

from orchestration.dbt_project import dbt_project


def test_one_export_asset_per_exposure_and_no_exposure_asset(defs: dg.Definitions) -> None:
    exposures = json.loads(dbt_project.manifest_path.read_text())["exposures"].values()
    pairs = {
        f"exports/{e['config']['meta']['destination']}/{e['config']['meta']['segment']}"
        for e in exposures
    }
    keys = {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert pairs and pairs == {key for key in keys if key.startswith("exports/")}
    assert not any(e["name"] in key for e in exposures for key in keys)


def test_cdp_exposures_checks_and_rewrites_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import exports.exposures
    from cdp.cli import main as cli_main
    from cdp.cli.console import plain_console
    from cdp.cli.main import app

    committed = exports.exposures.EXPOSURES_FILE.read_text(encoding="utf-8")
    assert CliRunner().invoke(app, ["exposures", "--check"]).exit_code == 0

    stale = tmp_path / "_segments__exposures.yml"
    stale.write_text(committed.replace("vip_customers_to_jsonl", "vip_customers_to_csv"))
    monkeypatch.setattr(exports.exposures, "EXPOSURES_FILE", stale)
    # The CLI's console is bound to the real stdout when cdp.cli.main is imported
    # (cdp/cli/console.py), before CliRunner swaps it: read the message from a console of ours.
    shown = io.StringIO()
    monkeypatch.setattr(cli_main, "console", plain_console(shown))
    checked = CliRunner().invoke(app, ["exposures", "--check"])
    assert checked.exit_code == 1 and "out of date" in shown.getvalue()
    assert CliRunner().invoke(app, ["exposures"]).exit_code == 0
    assert stale.read_text(encoding="utf-8") == committed
