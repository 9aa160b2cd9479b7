"""The Dagster instance the CLI and the UI share, so runs from both appear in one history.

The history is bounded: each run leaves an event-log database of a few MB and its steps'
captured output in `.dagster_home`; `ensure_dagster_home` keeps the latest `KEEP_RUNS` runs
(viewable in `cdp ui`) and deletes older ones with their files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Runs that write the warehouse are queued one at a time; the run lock is the backstop.
_DAGSTER_YAML = """\
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 4
  tag_concurrency_limits:
    - key: "cdp/warehouse"
      limit: 1
"""
KEEP_RUNS = 10
"""Runs kept in the Dagster history (the CLI's and the UI's); older ones are deleted."""
_FINISHED = ("SUCCESS", "FAILURE", "CANCELED")


def ensure_dagster_home(keep_runs: int = KEEP_RUNS) -> Path:
    """Uses $DAGSTER_HOME, or `.dagster_home` in the current folder, creating its dagster.yaml;
    prunes the run history to the latest `keep_runs` runs."""
    home = Path(os.environ.get("DAGSTER_HOME") or Path.cwd() / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(_DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    prune_run_history(home, keep_runs)
    return home


def prune_run_history(home: Path, keep_runs: int = KEEP_RUNS) -> list[str]:
    """Deletes all but the latest `keep_runs` runs: their run and event records, their event-log
    database (`history/runs/<id>.db`) and their storage folder (captured step output). Runs
    still in progress are kept, except CLI runs: the CLI runs one at a time under the writer
    lock, so an old CLI run marked as started is one that was killed. Returns the deleted ids.
    """
    if not (home / "history").is_dir():
        return []
    import dagster as dg

    deleted: list[str] = []
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for record in instance.get_run_records(order_by="create_timestamp", ascending=False)[
            keep_runs:
        ]:
            run = record.dagster_run
            killed_cli_run = run.tags.get("cdp/trigger") == "cli"
            if run.status.value not in _FINISHED and not killed_cli_run:
                continue
            instance.delete_run(run.run_id)
            deleted.append(run.run_id)
    for run_id in deleted:
        for leftover in (home / "history" / "runs").glob(f"{run_id}.db*"):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(home / "storage" / run_id, ignore_errors=True)
    return deleted
