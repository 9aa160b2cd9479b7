"""The Dagster instance the CLI and the UI share, so runs from both appear in one history."""

from __future__ import annotations

import os
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


def ensure_dagster_home() -> Path:
    """Uses $DAGSTER_HOME, or `.dagster_home` in the current folder, creating its dagster.yaml."""
    home = Path(os.environ.get("DAGSTER_HOME") or Path.cwd() / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(_DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
