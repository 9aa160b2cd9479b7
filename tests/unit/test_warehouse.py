"""One writer at a time: a second run gets a clear message, not a corrupt file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cdp.core.errors import CdpError
from cdp.core.warehouse import connect, require_warehouse, writer_lock


def test_second_writer_gets_a_clear_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "cdp.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from cdp.core.warehouse import writer_lock
                with writer_lock(Path({str(warehouse)!r})):
                    print("held", flush=True)
                    sys.stdin.read()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(CdpError, match="Another run is writing to the warehouse"):
            with writer_lock(warehouse):
                pass
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    # Once the first run is over, the next one proceeds.
    with writer_lock(warehouse):
        pass


def test_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    warehouse = tmp_path / "cdp.duckdb"
    with writer_lock(warehouse):
        with writer_lock(warehouse):
            pass


def test_read_only_open_of_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CdpError, match="run `cdp run` first"):
        connect(tmp_path / "absent.duckdb", read_only=True)


def test_a_file_that_is_not_duckdb_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cdp.duckdb"
    path.write_text("Customer ID,Email\n1,ann@example.com\n", encoding="utf-8")
    for read_only in (False, True):
        with pytest.raises(CdpError, match="is not a DuckDB database file") as caught:
            connect(path, read_only=read_only)
        assert "\n" not in str(caught.value)


def test_a_lock_file_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    warehouse = tmp_path / "cdp.duckdb"
    (tmp_path / "cdp.duckdb.lock").mkdir()
    with pytest.raises(CdpError, match="Cannot create the lock file"):
        with writer_lock(warehouse):
            pass


def test_require_warehouse_never_creates_one(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "cdp.duckdb"
    with pytest.raises(CdpError, match="No warehouse at .*CDP_WAREHOUSE"):
        require_warehouse(missing)
    assert not missing.parent.exists()
    with pytest.raises(CdpError, match="is a folder"):
        require_warehouse(tmp_path)
