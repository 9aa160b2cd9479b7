"""Loads that are killed half-way, and a 1 GB file: exactly-once and bounded memory.

Both run the loader in a subprocess, as a run would, against a warehouse file in tmp_path.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]

# A storefront event as the Web Pixel sends it (docs/sources.md), padded to a realistic size.
_EVENT = (
    '{{"id":"ev-{i:09d}","name":"page_viewed","timestamp":"2025-05-27T07:07:12.086Z",'
    '"clientId":"c-{c:06d}","customerId":null,"seq":{s},"type":"standard","context":{{'
    '"document":{{"location":{{"href":"https://shop.example/products/hat-{p}?utm_source=news'
    '&utm_medium=email"}},"referrer":"https://www.google.com/","title":"Hat {p}"}},'
    '"navigator":{{"userAgent":"{ua}","language":"en-US"}},"window":{{"screen":{{"width":412,'
    '"height":915}}}}}},"data":{{}}}}\n'
)
_UA = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36 " + "x" * 300
)


def write_events(path: Path, count: int, start: int = 0) -> int:
    """Writes `count` web events as JSON Lines; returns the file size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        batch = []
        for i in range(start, start + count):
            batch.append(_EVENT.format(i=i, c=i % 50_000, s=i % 40, p=i % 97, ua=_UA))
            if len(batch) == 10_000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    return path.stat().st_size


_LOADER = """
import sys, time
from pathlib import Path
import duckdb
import ingestion.loader as loader
from ingestion.sources import SOURCES

warehouse, landing, pause = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
loader.BATCH_MAX_FILES = int(sys.argv[4])
original = loader._insert_rows
calls = []

def announced(*args, **kwargs):
    calls.append(1)
    print("INSERTING", flush=True)
    inserted = original(*args, **kwargs)
    print("INSERTED", inserted, flush=True)
    if pause == "before_commit" and len(calls) == loader.BATCH_MAX_FILES + 1:
        time.sleep(600)  # killed here: rows inserted, transaction not committed
    return inserted

loader._insert_rows = announced
conn = duckdb.connect(warehouse)
report = loader.load_source(conn, SOURCES["shopify_web_events"], landing)
conn.close()
print("DONE", [(f.file_path, f.status, f.rows_loaded) for f in report.files], flush=True)
"""


def run_loader(
    warehouse: Path, landing: Path, pause: str = "none", batch_max_files: int = 1000
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _LOADER, str(warehouse), str(landing), pause, str(batch_max_files)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(process: subprocess.Popen, marker: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(marker):
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"loader ended before {marker}: {process.stderr.read()[-3000:]}")
    raise AssertionError(f"no {marker} within {timeout}s")


def facts(warehouse: Path) -> dict:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {r[0] for r in conn.execute("select table_name from duckdb_tables()").fetchall()}
        if "shopify_web_events" not in tables:
            return {"rows": 0, "distinct": 0, "manifest": []}
        rows, distinct = conn.execute(
            "select count(*), count(distinct event_id) from raw.shopify_web_events"
        ).fetchall()[0]
        manifest = conn.execute(
            "select file_path, status, rows_read, rows_loaded, rows_quarantined "
            "from meta.ingested_files order by file_path"
        ).fetchall()
        return {"rows": rows, "distinct": distinct, "manifest": manifest}
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("pause", "batch_max_files"),
    [
        ("during_insert", 1),
        ("before_commit", 1),
        # Both files in one scan and one transaction: the kill leaves neither.
        ("during_insert", 1000),
        ("before_commit", 1000),
    ],
)
def test_a_killed_load_leaves_nothing_half_loaded_and_the_next_run_completes_it(
    tmp_path: Path, pause: str, batch_max_files: int
) -> None:
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse.duckdb"
    write_events(landing / "shopify" / "web_events_2025-01.jsonl", 20_000)
    big_rows = 200_000
    write_events(landing / "shopify" / "web_events_2025-02.jsonl", big_rows, start=20_000)

    batched = batch_max_files > 1
    process = run_loader(warehouse, landing, pause, batch_max_files)
    try:
        # One file per transaction: the January file commits first, the February one is
        # killed mid-way. Batched: the one transaction holding both is killed mid-way.
        wait_for(process, "INSERTING")
        if not batched:
            wait_for(process, "INSERTING")
        if pause == "before_commit":
            wait_for(process, "INSERTED")
        else:
            time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    after_kill = facts(warehouse)
    if batched:
        assert after_kill["rows"] == 0, "nothing of an uncommitted batch may be visible"
        assert after_kill["manifest"] == []
    else:
        assert after_kill["rows"] == 20_000, "only the committed file may be visible"
        assert [m[:2] for m in after_kill["manifest"]] == [
            ("shopify/web_events_2025-01.jsonl", "loaded")
        ]

    rerun = run_loader(warehouse, landing)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err[-3000:]
    final = facts(warehouse)
    assert final["rows"] == final["distinct"] == 20_000 + big_rows
    assert final["manifest"] == [
        ("shopify/web_events_2025-01.jsonl", "loaded", 20_000, 20_000, 0),
        ("shopify/web_events_2025-02.jsonl", "loaded", big_rows, big_rows, 0),
    ]
    january_status = "loaded" if batched else "unchanged"
    assert f"'shopify/web_events_2025-01.jsonl', '{january_status}'" in out


def test_a_1_gb_file_streams_through_with_bounded_memory(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse.duckdb"
    count = 1_300_000
    size = write_events(landing / "shopify" / "web_events_big.jsonl", count)
    assert size >= 1 << 30

    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    process = run_loader(warehouse, landing)
    out, err = process.communicate(timeout=1200)
    seconds = time.monotonic() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert process.returncode == 0, err[-3000:]

    final = facts(warehouse)
    assert final["rows"] == final["distinct"] == count
    assert final["manifest"] == [("shopify/web_events_big.jsonl", "loaded", count, count, 0)]
    # ru_maxrss of the children is the largest of them; this test's loader is the largest.
    assert peak_kib >= before
    assert peak_kib < 2 * 1024 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB over {seconds:.0f}s"
    print(
        f"1 GB load: {seconds:.1f}s, peak RSS {peak_kib / 1024:.0f} MiB, {json.dumps(out[-200:])}"
    )
    os.remove(landing / "shopify" / "web_events_big.jsonl")
