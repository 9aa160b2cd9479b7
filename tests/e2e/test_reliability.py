"""Reliability holes a new user fell into (issue 12, section 5), through the real `cdp` CLI.

One scenario, in the order a user met them:

1. `cdp run` is killed with SIGKILL while its `dbt build` child runs: the child must die with
   it, and the next run takes the lock and succeeds. A file the killed run rejected has been
   removed since: it must not fail that next run (`cdp status` keeps it as history).
2. A person with orders is forgotten, then an orders file holding their order is dropped again
   under a new name: the run succeeds, no line item is left without its order, and the person
   is in no export file but in the `removes` file of every destination they were in.
3. The landing folder is emptied beside this warehouse, which now holds a real file: no demo
   data is generated into it (`--demo-if-empty` refuses, and so does loading demo files);
   a plain `cdp run` rebuilds from what the warehouse holds.
4. After these runs, `dbt_project/target` holds the folders of the latest runs only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from exports.hashing import google_email, meta_email, sha256_hex
from orchestration.dbt_project import DBT_PROJECT_DIR, KEEP_DBT_TARGET_RUNS
from tests.conftest import AS_OF, CdpEnv, query

pytestmark = pytest.mark.e2e
DBT_START_TIMEOUT = 900


@dataclass
class Scenario:
    env: CdpEnv
    dbt_pid: int = 0
    dbt_gone_after: float | None = None
    killed_run_targets: set[str] = field(default_factory=set)
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    email: str = ""
    person_id: str = ""
    order_ids: list[str] = field(default_factory=list)
    exported_in: list[str] = field(default_factory=list)
    """dest/segment folders whose export file held the person before they were forgotten."""
    manifest_files_before_empty: int = 0
    landing_after_refusal: list[str] = field(default_factory=list)


def _children(pid: int) -> list[tuple[int, str, str]]:
    """(pid, state, command line) of the live processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(stat.parent.name), fields[0], cmdline))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    """A process that is gone, or a zombie waiting to be reaped, is not running."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _file_text(path: Path) -> str:
    if path.suffix == ".parquet":
        return json.dumps(pq.read_table(path).to_pylist(), default=str)
    return path.read_text(encoding="utf-8")


def _exports(env: CdpEnv) -> dict[str, dict]:
    return {
        f"{p.parent.parent.name}/{p.parent.name}": json.loads(p.read_text())
        for p in sorted(env.exports.glob("*/*/manifest.json"))
    }


def _shows(text: str, email: str, person_id: str) -> bool:
    """Whether an export file's text holds the person, in any form a destination uses."""
    forms = {email, person_id, sha256_hex(google_email(email)), sha256_hex(meta_email(email))}
    return any(form and form in text for form in forms)


def _invocation_folders() -> set[str]:
    target = DBT_PROJECT_DIR / "target"
    if not target.is_dir():
        return set()
    return {p.name for p in target.iterdir() if p.is_dir() and p.name.count("-") == 2}


def _runs_of(env: CdpEnv) -> set[str]:
    """The environment's Dagster runs, as their dbt target folders name them (`<step>-<run id[:7]>-
    <uuid[:7]>`): the target folder is the project's, which another test process running
    alongside (pytest -n) fills too, so the scenario looks at its own runs' folders."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(env.root / "dagster_home")) as instance:
        return {record.dagster_run.run_id[:7] for record in instance.get_run_records()}


def _of_runs(folders: set[str], runs: set[str]) -> set[str]:
    return {name for name in folders if name.split("-")[1] in runs}


def _kill_run_at_dbt(env: CdpEnv, scenario: Scenario) -> None:
    before = _invocation_folders()
    log = (env.root / "killed_run.log").open("w")
    run = subprocess.Popen(
        [str(Path(sys.executable).with_name("cdp")), "run", "--as-of", AS_OF],
        env=env.environ(), cwd=env.root, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + DBT_START_TIMEOUT
        dbt = []
        while not dbt and time.monotonic() < deadline and run.poll() is None:
            dbt = [c for c in _children(run.pid) if "dbt" in c[2] and " build" in c[2]]
            time.sleep(0.2)
        assert dbt, f"no dbt build child appeared: {(env.root / 'killed_run.log').read_text()}"
        time.sleep(2)  # dbt is under way: connected to the warehouse, building
        scenario.dbt_pid = dbt[0][0]
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        started = time.monotonic()
        while _alive(scenario.dbt_pid) and time.monotonic() - started < 10:
            time.sleep(0.1)
        if not _alive(scenario.dbt_pid):
            scenario.dbt_gone_after = time.monotonic() - started
        else:  # the hole: do not leave it running into the next test
            os.kill(scenario.dbt_pid, signal.SIGKILL)
    finally:
        if run.poll() is None:
            run.kill()
        log.close()
    # The environment's first run: the only one in its Dagster history so far.
    scenario.killed_run_targets = _of_runs(_invocation_folders() - before, _runs_of(env))


def _forgotten_person(env: CdpEnv) -> tuple[str, list[dict]]:
    """An email with Shopify orders (with line items) whose person is in some export file."""
    orders: dict[str, list[dict]] = {}
    for path in sorted((env.landing / "shopify").glob("orders_*.json")):
        for order in json.loads(path.read_text(encoding="utf-8"))["orders"]:
            email = (order.get("email") or "").strip().lower()
            if email and order.get("line_items"):
                orders.setdefault(email, []).append(order)
    texts = [
        _file_text(env.exports / key / manifest["file"]) for key, manifest in _exports(env).items()
    ]
    # Prefer someone with a refund: all three raw tables of the orders file then hold them.
    ranked = sorted(orders, key=lambda e: (not any(o.get("refunds") for o in orders[e]), e))
    for email in ranked:
        if any(email in text for text in texts):
            return email, orders[email]
    raise AssertionError("no exported person with Shopify orders in the demo data")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding the dbt child process reads /proc (Linux)")
    env = CdpEnv(tmp_path_factory.mktemp("cdp_reliability"))
    scenario = Scenario(env)
    env.cdp("demo-data", "--people", "60", "--seed", "7", "--as-of", AS_OF)

    # 1. A broken orders file is rejected by the run that gets killed; then it is removed.
    broken = env.landing / "shopify" / "orders_9999.json"
    broken.write_text('{"orders": [{"id": 1, "email": "x@example.com",', encoding="utf-8")
    _kill_run_at_dbt(env, scenario)
    broken.unlink()
    scenario.runs["after_kill"] = env.cdp("run", "--as-of", AS_OF, check=False)
    scenario.runs["status"] = env.cdp("status", check=False)

    # 2. Forget a person with orders; their orders come back in a file with a new name.
    scenario.email, orders = _forgotten_person(env)
    [(scenario.person_id,)] = query(
        env,
        "select person_id from marts.person_identifiers "
        "where identifier_type = 'email' and identifier_value = ?",
        [scenario.email],
    )
    scenario.exported_in = [
        key
        for key, manifest in _exports(env).items()
        if _shows(
            _file_text(env.exports / key / manifest["file"]), scenario.email, scenario.person_id
        )
    ]
    scenario.order_ids = [str(o["id"]) for o in orders]
    scenario.runs["forget"] = env.cdp("forget", scenario.email, check=False)
    other = json.loads(
        sorted((env.landing / "shopify").glob("orders_*.json"))[0].read_text(encoding="utf-8")
    )["orders"]
    someone_else = next(o for o in other if (o.get("email") or "").lower() != scenario.email)
    resent = env.landing / "shopify" / "orders_resent_2025-06.json"
    resent.write_text(json.dumps({"orders": [*orders, someone_else]}), encoding="utf-8")
    scenario.runs["after_resend"] = env.cdp("run", "--as-of", AS_OF, check=False)
    scenario.runs["forget_again"] = env.cdp("forget", scenario.email, check=False)

    # 3. The landing folder is emptied: no demo data may be mixed into this warehouse.
    scenario.manifest_files_before_empty = query(env, "select count(*) from meta.ingested_files")[
        0
    ][0]
    shutil.move(env.landing, env.root / "landing_done")
    env.landing.mkdir()
    scenario.runs["demo_if_empty"] = env.cdp("run", "--demo-if-empty", "--as-of", AS_OF,
                                             check=False)  # fmt: skip
    scenario.landing_after_refusal = sorted(p.name for p in env.landing.rglob("*"))
    scenario.runs["demo_data"] = env.cdp("demo-data", "--people", "20", "--as-of", AS_OF)
    scenario.runs["demo_into_real"] = env.cdp("run", "--as-of", AS_OF, check=False)
    shutil.rmtree(env.landing)
    env.landing.mkdir()
    scenario.runs["empty"] = env.cdp("run", "--as-of", AS_OF, check=False)
    yield scenario


def test_killed_run_takes_its_dbt_child_with_it(scenario: Scenario) -> None:
    assert scenario.dbt_pid
    assert scenario.dbt_gone_after is not None, "dbt outlived the killed run by 10 s"
    assert scenario.dbt_gone_after < 5


def test_next_run_takes_the_lock_and_succeeds(scenario: Scenario) -> None:
    run = scenario.runs["after_kill"]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Another run is writing" not in run.stdout


def test_a_removed_rejected_file_no_longer_fails_runs_and_stays_in_history(
    scenario: Scenario,
) -> None:
    assert "orders_9999.json" not in scenario.runs["after_kill"].stdout
    status = scenario.runs["status"]
    assert status.returncode == 0, status.stdout[-3000:]
    history = status.stdout.split("Rejected earlier, since removed", 1)
    assert len(history) == 2 and "orders_9999.json" in history[1]
    assert "orders_9999.json" not in history[0]
    # The manifest keeps the rejection: history is not rewritten.
    assert query(
        scenario.env,
        "select count(*) from meta.ingested_files where file_path = 'shopify/orders_9999.json' "
        "and status = 'rejected'",
    ) == [(3,)]  # orders, line items and refunds are read from the same file


def test_resent_orders_of_a_forgotten_person_leave_no_orphans_and_the_run_succeeds(
    scenario: Scenario,
) -> None:
    assert scenario.runs["forget"].returncode == 0, scenario.runs["forget"].stdout
    run = scenario.runs["after_resend"]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    env = scenario.env
    for child in ("shopify_order_line_items", "shopify_order_refunds"):
        assert query(
            env,
            f"select count(*) from raw.{child} c where not exists "
            "(select 1 from raw.shopify_orders o where trim(o.id) = trim(c.order_id))",
        ) == [(0,)], child
    marks = ", ".join("?" for _ in scenario.order_ids)
    assert query(
        env, f"select count(*) from raw.shopify_orders where trim(id) in ({marks})",
        scenario.order_ids,
    ) == [(0,)]  # fmt: skip
    # The re-sent file loaded the other person's order and dropped this person's, counted.
    [(loaded, dropped)] = query(
        env,
        "select rows_loaded, rows_quarantined from meta.ingested_files "
        "where source_table = 'shopify_orders' and file_path like '%orders_resent_2025-06.json'",
    )
    assert (loaded, dropped) == (1, len(scenario.order_ids))


def test_the_forgotten_person_is_in_no_export_and_in_every_removes_file(
    scenario: Scenario,
) -> None:
    assert scenario.exported_in, "the chosen person was in no export before being forgotten"
    manifests = _exports(scenario.env)
    for key, manifest in manifests.items():
        text = _file_text(scenario.env.exports / key / manifest["file"])
        assert not _shows(text, scenario.email, scenario.person_id), key
    for key in scenario.exported_in:
        removes = manifests[key]["files"]["removes"]["file"]
        text = _file_text(scenario.env.exports / key / removes)
        assert _shows(text, scenario.email, scenario.person_id), key


def test_forgetting_again_finds_nothing_left_and_still_succeeds(scenario: Scenario) -> None:
    again = scenario.runs["forget_again"]
    assert again.returncode == 0, again.stdout + again.stderr
    assert "no resolved person" in again.stdout
    assert query(
        scenario.env,
        "select count(*) from raw.shopify_orders where lower(trim(email)) = ?",
        [scenario.email],
    ) == [(0,)]


def test_no_demo_data_is_generated_beside_a_warehouse_holding_real_loads(
    scenario: Scenario,
) -> None:
    refused = scenario.runs["demo_if_empty"]
    assert refused.returncode != 0
    assert "Not generating demo data" in refused.stdout
    assert "orders_resent_2025-06.json" in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
    assert scenario.landing_after_refusal == []


def test_demo_files_are_not_loaded_into_a_warehouse_holding_real_loads(
    scenario: Scenario,
) -> None:
    refused = scenario.runs["demo_into_real"]
    assert refused.returncode != 0
    assert "Not loading demo data" in refused.stdout
    # Nothing of the demo files reached the warehouse.
    assert query(scenario.env, "select count(*) from meta.ingested_files") == [
        (scenario.manifest_files_before_empty,)
    ]


def test_plain_run_on_an_empty_landing_folder_rebuilds_from_the_warehouse(
    scenario: Scenario,
) -> None:
    run = scenario.runs["empty"]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "nothing new to load" in run.stdout
    assert query(scenario.env, "select count(*) from meta.ingested_files") == [
        (scenario.manifest_files_before_empty,)
    ]
    assert query(scenario.env, "select count(*) from marts.profiles")[0][0] > 0


def test_dbt_target_keeps_only_the_latest_runs(scenario: Scenario) -> None:
    folders = _of_runs(_invocation_folders(), _runs_of(scenario.env))
    runs = {name.split("-")[1] for name in folders}
    assert len(runs) <= KEEP_DBT_TARGET_RUNS + 1
    assert scenario.killed_run_targets and not (scenario.killed_run_targets & set(folders))
