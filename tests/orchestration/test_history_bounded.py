"""Run after run, `.dagster_home` and `dbt_project/target` stay bounded (kept: the latest few)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from orchestration import dbt_project as dbt_project_module
from orchestration.instance import ensure_dagster_home, prune_run_history


@dg.op
def shout(context) -> None:  # no annotation: dagster checks it at import
    print("x" * 50_000)  # captured step output: what the UI shows, and what fills the disk
    context.log.info("y" * 10_000)


@dg.job
def tiny() -> None:
    shout()


def _run(home: Path, tags: dict[str, str]) -> str:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = tiny.execute_in_process(instance=instance, tags=tags)
        assert result.success
        return result.run_id


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_run_history_keeps_the_latest_runs_and_their_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ensure_dagster_home(keep_runs=3)
    runs = [_run(home, {"cdp/trigger": "cli"}) for _ in range(4)]
    ui_run = _run(home, {})
    assert (home / "history" / "runs" / f"{runs[0]}.db").exists()
    assert list((home / "storage" / runs[0]).rglob("*.out"))  # captured output is on disk
    before = _size(home)

    deleted = prune_run_history(home, keep_runs=3)

    assert sorted(deleted) == sorted(runs[:2])
    with dg.DagsterInstance.from_config(str(home)) as instance:
        kept = {r.run_id for r in instance.get_runs()}
    assert kept == {runs[2], runs[3], ui_run}
    for run_id in runs[:2]:
        assert not (home / "history" / "runs" / f"{run_id}.db").exists()
        assert not (home / "storage" / run_id).exists()
    assert (home / "storage" / runs[3]).exists()
    assert _size(home) < before

    # A steady state: more runs, each followed by the pruning a CLI run starts with.
    sizes = []
    for _ in range(4):
        _run(home, {"cdp/trigger": "cli"})
        ensure_dagster_home(keep_runs=3)
        sizes.append(_size(home / "storage") + _size(home / "history" / "runs") - _size(
            home / "history" / "runs" / "index.db"
        ))  # fmt: skip
    assert len(os.listdir(home / "storage")) <= 3
    assert max(sizes[1:]) <= sizes[0] * 1.2


def test_a_killed_cli_run_left_as_started_is_pruned_but_a_ui_run_in_progress_is_not(
    tmp_path: Path,
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        killed = instance.create_run_for_job(tiny, tags={"cdp/trigger": "cli"})
        instance.handle_run_event(
            killed.run_id,
            dg.DagsterEvent(
                event_type_value="PIPELINE_START", job_name="tiny", message="started"
            ),
        )  # fmt: skip
        in_progress = instance.create_run_for_job(tiny)
        instance.handle_run_event(
            in_progress.run_id,
            dg.DagsterEvent(event_type_value="PIPELINE_START", job_name="tiny", message="started"),
        )
    for _ in range(2):
        _run(home, {"cdp/trigger": "cli"})
    deleted = prune_run_history(home, keep_runs=1)
    assert killed.run_id in deleted and in_progress.run_id not in deleted


def test_dbt_target_keeps_the_folders_of_the_latest_runs_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "dbt_project"
    target = project / "target"
    monkeypatch.setattr(dbt_project_module, "DBT_PROJECT_DIR", project)
    own = ["manifest.json", "partial_parse.msgpack"]
    target.mkdir(parents=True)
    for name in own:
        (target / name).write_text("{}")
    (target / "compiled").mkdir()  # not a dagster-dbt invocation folder: never touched
    for i, run in enumerate(["aaaaaaa", "bbbbbbb", "ccccccc", "ddddddd"]):
        for op in ("cdp_dbt_models", "cdp_dbt_prediction_models"):
            folder = target / f"{op}-{run}-{i:07x}"
            folder.mkdir()
            (folder / "dbt.log").write_text("z" * 1000)
            os.utime(folder, (1_000_000 + i, 1_000_000 + i))

    removed = dbt_project_module.prune_dbt_targets(keep_runs=2)

    assert {p.name.split("-")[1] for p in removed} == {"aaaaaaa", "bbbbbbb"}
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [*own, "compiled"]
        + [f"{op}-{run}-{i:07x}" for i, run in ((2, "ccccccc"), (3, "ddddddd"))
           for op in ("cdp_dbt_models", "cdp_dbt_prediction_models")]
    )  # fmt: skip
