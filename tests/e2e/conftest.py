"""Whole-pipeline runs shared by several e2e modules.

A `cdp run` costs about a minute even on a few hundred demo people (process start, a dbt parse,
three dbt invocations, Splink, the exports), so the modules that check the result of the same
plain demo run (tests/e2e/test_pipeline.py, test_profiles.py, test_forget.py) share one, made
once per session: they read it, or go on from a copy of its folder (warehouse, landing,
exports, Dagster history) when they run more commands on it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.conftest import AS_OF, CdpEnv, local_http_server, query

DEMO_PEOPLE = 400
DEMO_SEED = 11
WEBHOOK_MAX_REQUESTS = 500
"""The receiver answers 418 after this many requests: a run that loops on retries shows."""
WEBHOOK_BATCH_SIZE = "25"
IDENTITY_SQL = "select identifier_type, identifier_value, person_id from marts.person_identifiers"


@contextmanager
def webhook_receiver() -> Iterator[list[dict]]:
    """A local HTTP server on 127.0.0.1 for the webhook destination, set as CDP_WEBHOOK_URL
    (batches of WEBHOOK_BATCH_SIZE) while the block runs; yields the bodies it received, each
    with its Idempotency-Key as `_key`."""
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            bodies.append({**body, "_key": self.headers.get("Idempotency-Key")})
            self.send_response(200 if len(bodies) <= WEBHOOK_MAX_REQUESTS else 418)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    patch = pytest.MonkeyPatch()
    with local_http_server(Handler) as base_url:
        patch.setenv("CDP_WEBHOOK_URL", f"{base_url}/cdp")
        patch.setenv("CDP_WEBHOOK_BATCH_SIZE", WEBHOOK_BATCH_SIZE)
        try:
            yield bodies
        finally:
            patch.undo()


def export_manifests(env: CdpEnv) -> dict[str, dict]:
    """Every export's manifest.json, by `destination/segment`."""
    return {
        f"{p.parent.parent.name}/{p.parent.name}": json.loads(p.read_text())
        for p in sorted(env.exports.glob("*/*/manifest.json"))
    }


def copy_env(source: CdpEnv, root: Path) -> CdpEnv:
    """A copy of an environment's whole folder, to go on from where its last command ended."""
    shutil.copytree(source.root, root, dirs_exist_ok=True)
    return CdpEnv(root)


@dataclass(frozen=True)
class DemoRuns:
    """`cdp demo-data --people 400 --seed 11`, then `cdp run` twice at AS_OF with nothing
    changed in between, every destination on (the webhook's local receiver included). The
    first prints to a pipe as a user's would; the second runs with `--json --verbose`."""

    env: CdpEnv
    """The environment after the second run: read it, never change it (copy_env first)."""
    after_first_run: CdpEnv
    """A copy of the environment as the first run left it: read it, never change it."""
    first_stdout: str
    second_stdout: str
    """The second run's JSON summary (`--json`)."""
    second_stderr: str
    """The second run's progress and, with `--verbose`, dbt's lines."""
    identities_after_first_run: frozenset[tuple]
    manifests_after_first_run: dict[str, dict]
    manifests_after_second_run: dict[str, dict]
    webhook_bodies: tuple[dict, ...]
    webhook_bodies_after_first_run: int
    webhook_bodies_after_second_run: int


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    # Shared: test_pipeline checks these two runs; test_forget goes on from the second and
    # test_profiles from a copy of the first, instead of each running them again. Under
    # pytest-xdist the three go to one worker (tests/conftest.py: SESSION_FIXTURE_SCOPES).
    env = CdpEnv(tmp_path_factory.mktemp("demo_runs"))
    env.cdp("demo-data", "--people", str(DEMO_PEOPLE), "--seed", str(DEMO_SEED), "--as-of", AS_OF)
    with webhook_receiver() as bodies:
        first = env.cdp("run", "--as-of", AS_OF)
        after_first = len(bodies)
        identities = frozenset(query(env, IDENTITY_SQL))
        manifests_first = export_manifests(env)
        after_first_run = copy_env(env, tmp_path_factory.mktemp("demo_runs_after_first_run"))
        second = env.cdp("run", "--as-of", AS_OF, "--json", "--verbose")
        after_second = len(bodies)
    return DemoRuns(
        env=env,
        after_first_run=after_first_run,
        first_stdout=first.stdout,
        second_stdout=second.stdout,
        second_stderr=second.stderr,
        identities_after_first_run=identities,
        manifests_after_first_run=manifests_first,
        manifests_after_second_run=export_manifests(env),
        webhook_bodies=tuple(bodies),
        webhook_bodies_after_first_run=after_first,
        webhook_bodies_after_second_run=after_second,
    )
