"""Files of one kind are read in one scan (ingestion/loader.py): every file must still come out
exactly as if it had been loaded on its own — its rows, record numbers, lines, quarantine,
manifest entry and message — and a bad file must be rejected alone while the others load."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion import loader
from ingestion.sources import SOURCES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def landing_of_every_case(root: Path) -> Path:
    """Every bad-file case and every variant in one landing folder, each case in its own
    sub-folder of the tool folder (`shopify/<case>/orders.json`), as daily pulls land."""
    landing = root / "landing"
    for group in ("bad_files", "variants"):
        for case in sorted(p for p in (FIXTURES / group).iterdir() if p.is_dir()):
            for tool_folder in (p for p in case.iterdir() if p.is_dir()):
                shutil.copytree(tool_folder, landing / tool_folder.name / f"{group}-{case.name}")
    return landing


def load_everything(landing: Path, batch_max_files: int, monkeypatch) -> dict[str, list]:
    monkeypatch.setattr(loader, "BATCH_MAX_FILES", batch_max_files)
    conn = duckdb.connect()
    try:
        for spec in SOURCES.values():
            loader.load_source(conn, spec, landing)
        facts = {
            "manifest": conn.execute(
                "select source_table, file_path, status, rows_read, rows_loaded, "
                "rows_quarantined, message from meta.ingested_files order by all"
            ).fetchall(),
            "quarantine": conn.execute(
                "select * exclude (quarantined_at) from raw.quarantined_rows order by all"
            ).fetchall(),
            "validation": conn.execute(
                "select * exclude (run_at) from meta.validation_results order by all"
            ).fetchall(),
        }
        for spec in SOURCES.values():
            facts[spec.table] = conn.execute(
                f"select * exclude (_loaded_at) from raw.{spec.table} order by all"
            ).fetchall()
        return facts
    finally:
        conn.close()


def test_files_read_in_one_scan_load_exactly_as_files_read_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = landing_of_every_case(tmp_path)

    one_by_one = load_everything(landing, 1, monkeypatch)
    batched = load_everything(landing, 1000, monkeypatch)

    statuses = {status for _, _, status, *_ in one_by_one["manifest"]}
    assert {"loaded", "rejected"} <= statuses, "the cases must hold good and bad files"
    assert one_by_one["quarantine"], "the cases must hold quarantined records"
    for name, expected in one_by_one.items():
        assert batched[name] == expected, name


def _square_day(day: int, rows: list[str]) -> str:
    header = "Date,Time,Time Zone,Gross Sales,Net Sales,Transaction ID,Payment ID,Location"
    return "\n".join([header, *rows]) + "\n"


def test_a_bad_daily_file_is_rejected_alone_and_its_neighbours_load(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    square = landing / "square"
    square.mkdir(parents=True)
    for day in range(1, 6):
        rows = [
            f"2025-06-0{day},10:0{i}:00,UTC,$1{i}.00,$1{i}.00,tx-{day}-{i},pay-{day}-{i},Mission"
            for i in range(3)
        ]
        if day == 2:  # the required transaction id is empty on the file's second data row
            rows[1] = "2025-06-02,10:01:00,UTC,$11.00,$11.00,,pay-2-1,Mission"
        if day == 3:  # one field too many: the parser rejects the line, the file loads
            rows[0] += ",extra"
        if day == 4:  # cut off inside a quoted value: the file is rejected, not half loaded
            rows[2] = '2025-06-04,10:02:00,UTC,"$12.'
        (square / f"transactions-2025-06-0{day}.csv").write_text(_square_day(day, rows))

    conn = duckdb.connect()
    report = loader.load_source(conn, SOURCES["square_transactions"], landing)

    outcome = {
        f.file_path: (f.status, f.rows_read, f.rows_loaded, f.rows_quarantined)
        for f in report.files
    }
    assert outcome == {
        "square/transactions-2025-06-01.csv": ("loaded", 3, 3, 0),
        "square/transactions-2025-06-02.csv": ("loaded", 3, 2, 1),
        "square/transactions-2025-06-03.csv": ("loaded", 3, 2, 1),
        "square/transactions-2025-06-04.csv": ("rejected", 0, 0, 0),
        "square/transactions-2025-06-05.csv": ("loaded", 3, 3, 0),
    }
    [rejected] = report.rejected
    assert "never closed" in rejected.message
    # Lineage is each file's own: record numbers restart at 1 in every file.
    assert conn.execute(
        "select _source_file, list(_source_row order by _source_row) from raw.square_transactions "
        "group by 1 order by 1"
    ).fetchall() == [
        ("square/transactions-2025-06-01.csv", [1, 2, 3]),
        ("square/transactions-2025-06-02.csv", [1, 3]),
        ("square/transactions-2025-06-03.csv", [2, 3]),
        ("square/transactions-2025-06-05.csv", [1, 2, 3]),
    ]
    assert conn.execute(
        "select source_file, line_number, record_number, reason from raw.quarantined_rows "
        "order by all"
    ).fetchall() == [
        ("square/transactions-2025-06-02.csv", 3, 2, "required field 'Transaction ID' is empty"),
        (
            "square/transactions-2025-06-03.csv",
            2,
            1,
            "wrong number of fields: the header has 8, this record has 9",
        ),
    ]


def test_daily_files_of_one_kind_are_read_in_one_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    square = tmp_path / "landing" / "square"
    square.mkdir(parents=True)
    for day in range(1, 8):
        row = f"2025-06-0{day},10:00:00,UTC,$10.00,$10.00,tx-{day},pay-{day},Mission"
        (square / f"transactions-2025-06-0{day}.csv").write_text(_square_day(day, [row]))
    scans = []
    insert_rows = loader._insert_rows
    monkeypatch.setattr(
        loader, "_insert_rows", lambda *args: scans.append(args[3]) or insert_rows(*args)
    )

    report = loader.load_source(
        duckdb.connect(), SOURCES["square_transactions"], tmp_path / "landing"
    )

    assert [f.status for f in report.files] == ["loaded"] * 7
    assert [len(files) for files in scans] == [7]
