"""One writer at a time: a second run gets a clear message, not a corrupt file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingestion.errors import CdpError
from ingestion.warehouse import connect, writer_lock


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
                from ingestion.warehouse import writer_lock
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
