"""The CLI on a warehouse that is missing, not DuckDB, or on a read-only disk: one clear line,
a non-zero exit, no traceback, and nothing created or started. Runs the real `cdp` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import CdpEnv

READ_ONLY_COMMANDS = [
    ("forget", "ann@example.com"),
    ("profile", "ann@example.com"),
    ("explain", "ann@example.com"),
    ("status",),
    ("segments",),
    ("report",),
]


def _one_clear_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    text = " ".join(output.split())  # rich wraps long lines
    for part in expected:
        assert part in text, output


def _environ_with(env: CdpEnv, warehouse: Path) -> dict[str, str]:
    return {**env.environ(), "CDP_WAREHOUSE": str(warehouse)}


def _cdp(env: CdpEnv, warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(_venv_cdp()), *args],
        env=_environ_with(env, warehouse),
        cwd=env.root,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _venv_cdp() -> Path:
    return Path(sys.executable).with_name("cdp")


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=lambda c: c[0])
def test_commands_that_read_or_erase_never_create_a_warehouse(
    cdp_env: CdpEnv, command: tuple[str, ...]
) -> None:
    mistyped = cdp_env.root / "warehuose" / "cdp.duckdb"
    result = _cdp(cdp_env, mistyped, *command)
    _one_clear_line(result, "No warehouse at", str(mistyped))
    assert not mistyped.parent.exists()


def test_a_run_with_nothing_to_run_on_says_so_and_creates_nothing(cdp_env: CdpEnv) -> None:
    result = _cdp(cdp_env, cdp_env.warehouse, "run")
    _one_clear_line(result, "No exports in", "--demo-if-empty")
    assert not cdp_env.warehouse.parent.exists()
    assert not cdp_env.landing.exists()


@pytest.fixture
def not_duckdb(cdp_env: CdpEnv) -> Path:
    path = cdp_env.root / "warehouse" / "cdp.duckdb"
    path.parent.mkdir(parents=True)
    path.write_text("email,phone\nann@example.com,555\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ("run", "--demo-if-empty"),
        ("status",),
        ("forget", "ann@example.com"),
        ("segments",),
        ("report",),
    ],
    ids=lambda c: c[0],
)
def test_a_warehouse_that_is_not_duckdb_gets_one_clear_line(
    cdp_env: CdpEnv, not_duckdb: Path, command: tuple[str, ...]
) -> None:
    result = _cdp(cdp_env, not_duckdb, *command)
    _one_clear_line(result, "is not a DuckDB database file")
    # Nothing started: no demo data generated, no run recorded, the file untouched.
    assert not cdp_env.landing.exists()
    assert not (cdp_env.root / "dagster_home").exists()
    assert not_duckdb.read_text(encoding="utf-8").startswith("email,phone")


def test_a_lock_file_that_cannot_be_created_gets_one_clear_line(cdp_env: CdpEnv) -> None:
    warehouse = cdp_env.root / "warehouse" / "cdp.duckdb"
    warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse)).close()
    (warehouse.parent / "cdp.duckdb.lock").mkdir()  # in the way of the lock file
    for command in (("run",), ("forget", "ann@example.com")):
        result = _cdp(cdp_env, warehouse, *command)
        _one_clear_line(result, "Cannot create the lock file")
    assert not (cdp_env.root / "dagster_home").exists()


def _read_only_wrapper(folder: Path) -> list[str] | None:
    """A command prefix that runs the CLI with `folder` mounted read-only (a private mount
    namespace: nothing changes outside the command), or None where that is not possible."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    probe = subprocess.run(
        [unshare, "-rm", "sh", "-c", script, str(folder), "true"], capture_output=True
    )
    if probe.returncode != 0:
        return None
    return [unshare, "-rm", "sh", "-c", script, str(folder)]


def test_a_warehouse_on_a_read_only_disk_gets_one_clear_line(cdp_env: CdpEnv) -> None:
    folder = cdp_env.root / "warehouse"
    folder.mkdir()
    warehouse = folder / "cdp.duckdb"
    conn = duckdb.connect(str(warehouse))
    conn.execute("create schema meta")
    conn.close()
    wrapper = _read_only_wrapper(folder)
    if wrapper is None:
        pytest.skip("cannot mount a folder read-only here (needs unshare and user namespaces)")

    def cdp(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*wrapper, str(_venv_cdp()), *args],
            env=_environ_with(cdp_env, warehouse),
            cwd=cdp_env.root,
            capture_output=True,
            text=True,
            timeout=300,
        )

    for command in (("run", "--demo-if-empty"), ("forget", "ann@example.com")):
        _one_clear_line(cdp(*command), "read-only")
    assert not cdp_env.landing.exists()  # the run failed before generating anything
    # Reading needs no write access: status works on a read-only disk.
    status = cdp("status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert "No file has been ingested" in " ".join(status.stdout.split())


def test_a_report_while_another_process_writes_gets_one_clear_line(cdp_env: CdpEnv) -> None:
    # `cdp report` opens the warehouse read-only: DuckDB refuses that while another process
    # holds it open for writing, and the report must say so, not crash or wait.
    warehouse = cdp_env.warehouse
    warehouse.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse)).close()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; conn = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(120)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "open"
        result = _cdp(cdp_env, warehouse, "report")
    finally:
        writer.kill()
        writer.wait()
    _one_clear_line(result, "is open for writing by another process")
    assert not (cdp_env.exports / "report").exists()
