"""Shared fixtures: an isolated CDP environment (landing, warehouse, exports) per test."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

AS_OF = "2025-06-30T12:00:00"


@dataclass(frozen=True)
class CdpEnv:
    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def truth(self) -> Path:
        return self.root / "ground_truth"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "cdp.duckdb"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    def environ(self) -> dict[str, str]:
        return {
            **os.environ,
            "CDP_LANDING_DIR": str(self.landing),
            "CDP_TRUTH_DIR": str(self.truth),
            "CDP_WAREHOUSE": str(self.warehouse),
            "CDP_EXPORTS_DIR": str(self.exports),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
            "COLUMNS": "200",
        }

    def cdp(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Runs the `cdp` command as a user would, in this environment."""
        result = subprocess.run(
            [str(Path(sys.executable).with_name("cdp")), *args],
            env=self.environ(),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"cdp {' '.join(args)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout[-5000:]}\nstderr:\n{result.stderr[-5000:]}"
            )
        return result


@contextmanager
def local_http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serves `handler` on a free port of 127.0.0.1 while the block runs; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def query(env: CdpEnv, sql: str, params: list | None = None) -> list[tuple]:
    """Reads the environment's warehouse as a user would, read-only, after a command ended."""
    import duckdb

    conn = duckdb.connect(str(env.warehouse), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory):
    """The one Dagster `Definitions`, on a manifest parsed for a throwaway warehouse path (the
    definitions build their dbt assets from it when first imported)."""
    from cdp.core.settings import Settings
    from orchestration.dbt_project import prepare_manifest

    warehouse = tmp_path_factory.mktemp("defs") / "cdp.duckdb"
    prepare_manifest(Settings.from_env({"CDP_WAREHOUSE": str(warehouse)}))
    from orchestration.definitions import defs as definitions

    return definitions


@pytest.fixture
def cdp_env(tmp_path: Path) -> CdpEnv:
    return CdpEnv(tmp_path)


SESSION_FIXTURE_SCOPES = {
    "tests/e2e/test_dbt_by_hand.py": "demo_runs",
    "tests/e2e/test_forget.py": "demo_runs",
    "tests/e2e/test_pipeline.py": "demo_runs",
    "tests/e2e/test_profiles.py": "demo_runs",
    "tests/e2e/test_report.py": "demo_runs",
}
"""Test modules that share a session fixture (tests/e2e/conftest.py: demo_runs), by the name of
what they share: under pytest-xdist they go to the same worker, which makes it once."""


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`pytest -n 2 --dist loadscope` (`make test`): a module's tests go to one worker (each
    module-scoped fixture, often a whole pipeline run, is made once), and so do the modules of
    SESSION_FIXTURE_SCOPES. (`--dist loadgroup` would read `xdist_group` marks, but pytest-xdist
    3.8 cannot rename a test of pytest 9, so it sends a group's tests anywhere.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesAndSharedSessionFixtures(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return SESSION_FIXTURE_SCOPES.get(module) or super()._split_scope(nodeid)

    return ModulesAndSharedSessionFixtures(config, log)
