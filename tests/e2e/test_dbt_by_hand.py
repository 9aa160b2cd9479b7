"""dbt run by hand from dbt_project/, with no CDP_* setting: it finds the warehouse `cdp run`
wrote in the repository's default `warehouse/` folder (profiles.yml), and before any run
`dbt docs generate` still works while other commands say what is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import DemoRuns

REPO = Path(__file__).resolve().parents[2]


def copy_of_the_repository(root: Path) -> Path:
    """The dbt project as committed (no target/ or logs/) in `root/dbt_project`, the way a fresh
    clone has it; the repository's Python code stays importable through PYTHONPATH."""
    tracked = subprocess.run(
        ["git", "ls-files", "dbt_project"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    return root / "dbt_project"


def dbt(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` started in `project` as a user would type it: no --vars, no CDP_* variable."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CDP_", "DBT_"))}
    environ["PYTHONPATH"] = str(REPO)  # the profile's plugin (cdp/dbt_warehouse_guard.py)
    return subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_dbt_docs_generate_finds_the_default_warehouse(demo_runs: DemoRuns, tmp_path: Path) -> None:
    project = copy_of_the_repository(tmp_path)
    (tmp_path / "warehouse").mkdir()
    shutil.copy2(demo_runs.env.warehouse, tmp_path / "warehouse" / "cdp.duckdb")

    result = dbt(project, "docs", "generate")

    assert result.returncode == 0, result.stdout[-3000:]
    catalog = json.loads((project / "target" / "catalog.json").read_text())["nodes"]
    profiles = catalog["model.cdp.profiles"]
    assert profiles["metadata"]["schema"] == "marts"
    assert {"person_id", "lifecycle_stage"} <= {c.lower() for c in profiles["columns"]}
    # Nothing was written where a relative default would have put it.
    assert not (project / "warehouse").exists()


def test_dbt_before_any_run_documents_and_explains(tmp_path: Path) -> None:
    project = copy_of_the_repository(tmp_path)

    build = dbt(project, "build")
    assert build.returncode != 0
    expected = tmp_path.resolve() / "warehouse" / "cdp.duckdb"
    assert f"No warehouse at {expected}: its folder does not exist" in build.stdout
    assert "Traceback" not in build.stdout + build.stderr

    docs = dbt(project, "docs", "generate")
    assert docs.returncode == 0, docs.stdout[-3000:]
    assert f"No warehouse at {expected} yet" in docs.stdout
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    assert manifest["nodes"]["model.cdp.profiles"]["columns"]["person_id"]["description"]
    assert not (tmp_path / "warehouse").exists()
