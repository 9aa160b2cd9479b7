"""Ingestion benchmark: our loader against DuckDB's bare readers on the same files.

    .venv/bin/python benchmarks/ingest.py                      # 10M web events + 2M POS rows
    .venv/bin/python benchmarks/ingest.py --events 1000000 --pos 200000   # a quicker run

Writes synthetic files in the documented formats (docs/sources.md) with DuckDB's COPY:
`web_events_*.jsonl` (Shopify Web Pixel events, JSON Lines) and `transactions-*.csv` (Square
transactions export, all 55 columns, money as `$1,234.50`). Then, each in a fresh process and
a fresh warehouse file, times and measures the peak RSS of
- our loader (`ingestion.loader.load_source`: hashing, encoding check, quarantine, lineage
  columns, manifest and the Great Expectations suite, all on), and
- DuckDB's bare reader (`create table as select * from read_json(...)` / `read_csv(...)`).
Only the load is timed (imports, such as Great Expectations' few seconds, are not).
Prints a table and writes benchmarks/results/ingest.json. Targets: our rows/s at least half
the bare reader's, peak memory under 4 GiB. A benchmark, not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "ingest.json"
TARGET_SPEED_RATIO = 0.5
TARGET_PEAK_GIB = 4.0

_EVENT_NAMES = (
    "['page_viewed', 'product_viewed', 'collection_viewed', 'search_submitted', "
    "'product_added_to_cart', 'checkout_started', 'checkout_completed']"
)
_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def write_web_events(path: Path, rows: int) -> None:
    """Web Pixel events as the storefront sends them: nested context, event-specific data."""
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    conn.execute(
        f"""
        copy (
            select
                'sh-' || lpad(cast(i as varchar), 12, '0') as id,
                {_EVENT_NAMES}[1 + cast(i % 7 as integer)] as name,
                strftime(timestamp '2025-01-01' + to_seconds(i * 3), '%Y-%m-%dT%H:%M:%S.')
                    || lpad(cast(i % 1000 as varchar), 3, '0') || 'Z' as timestamp,
                'c-' || cast(i % 1999993 as varchar) as clientId,
                case when i % 5 = 0 then cast(7614304534787 + i % 100000 as varchar) end
                    as customerId,
                cast(i % 40 as integer) as seq,
                'standard' as type,
                {{
                    'document': {{
                        'location': {{'href': 'https://www.northwind.example/products/p-'
                            || cast(i % 97 as varchar)
                            || '?utm_source=newsletter&utm_medium=email&mc_cid=c0ffee&mc_eid='
                            || cast(i % 50021 as varchar)}},
                        'referrer': 'https://www.google.com/',
                        'title': 'Product ' || cast(i % 97 as varchar)
                    }},
                    'navigator': {{'userAgent': '{_USER_AGENT}', 'language': 'en-US'}},
                    'window': {{'screen': {{'width': 390, 'height': 844}}}}
                }} as context,
                case i % 7
                    when 1 then json_object('productVariant', json_object(
                        'id', cast(i % 301 as varchar), 'price', json_object('amount',
                        19.5 + i % 80, 'currencyCode', 'USD'), 'product', json_object(
                        'id', cast(i % 97 as varchar), 'title', 'Product ' || (i % 97))))
                    when 5 then json_object('checkout', json_object('token', 'tok' || i,
                        'email', 'shopper' || (i % 90001) || '@example.com',
                        'totalPrice', json_object('amount', 42.0 + i % 300,
                        'currencyCode', 'USD')))
                    else json('{{}}')
                end as data
            from range({rows}) as t(i)
        ) to '{path}' (format json)
        """
    )
    conn.close()


def _money(cents: str) -> str:
    """SQL for Square's money text: `$1,234.50`, refunds `-$5.00`."""
    dollars = f"(abs({cents}) // 100)"
    return (
        f"case when {cents} < 0 then '-' else '' end || '$' || "
        f"case when {dollars} >= 1000 then cast({dollars} // 1000 as varchar) || ',' || "
        f"lpad(cast({dollars} % 1000 as varchar), 3, '0') else cast({dollars} as varchar) end "
        f"|| '.' || lpad(cast(abs({cents}) % 100 as varchar), 2, '0')"
    )


def write_pos_transactions(path: Path, rows: int) -> None:
    """Square Dashboard transactions export: every column, in Square's order and formats."""
    import duckdb

    from ingestion.sources import SQUARE_TRANSACTION_HEADERS

    path.parent.mkdir(parents=True, exist_ok=True)
    values = {
        "Date": "strftime(date '2025-01-01' + cast(i % 365 as integer), '%Y-%m-%d')",
        "Time": "strftime(timestamp '2025-01-01 08:00:00' + to_seconds(i % 36000), '%H:%M:%S')",
        "Time Zone": "'Eastern Time (US & Canada)'",
        "Gross Sales": _money("gross"),
        "Discounts": "'$0.00'",
        "Service Charges": "'$0.00'",
        "Net Sales": _money("gross"),
        "Gift Card Sales": "'$0.00'",
        "Tax": _money("gross * 8 // 100"),
        "Tip": "'$0.00'",
        "Partial Refunds": "'$0.00'",
        "Total Collected": _money("gross * 108 // 100"),
        "Source": "'Square Point of Sale'",
        "Card": _money("gross * 108 // 100"),
        "Card Entry Methods": "'Contactless'",
        "Cash": "'$0.00'",
        "Fees": _money("-(gross * 3 // 100)"),
        "Net Total": _money("gross * 105 // 100"),
        "Transaction ID": "'tx' || lpad(cast(i as varchar), 12, '0')",
        "Payment ID": "'pay' || lpad(cast(i as varchar), 12, '0')",
        "Card Brand": "'Visa'",
        "PAN Suffix": "lpad(cast(i % 10000 as varchar), 4, '0')",
        "Device Name": "'Counter 1'",
        "Staff Name": "'Alex'",
        "Details": "'Items'",
        "Description": "'Hat, Scarf'",
        "Event Type": "case when i % 50 = 0 then 'Refund' else 'Payment' end",
        "Location": "'Main St'",
        "Customer ID": "case when i % 3 = 0 then 'SQC' || (i % 70001) end",
        "Customer Name": "case when i % 3 = 0 then 'Shopper ' || (i % 70001) end",
        "Transaction Status": "'Complete'",
        "Channel": "'Point of Sale'",
    }
    selects = ", ".join(
        f'{values.get(h, chr(39) * 2)} as "{h}"' for h in SQUARE_TRANSACTION_HEADERS
    )
    conn = duckdb.connect()
    conn.execute(
        f"copy (select {selects} from (select i, 500 + (i * 7919) % 250000 as gross "
        f"from range({rows}) as t(i))) to '{path}' (format csv, header true)"
    )
    conn.close()


# --- measured in a child process -------------------------------------------------------------


def _child(mode: str, table: str, landing: Path, warehouse: Path) -> dict:
    import duckdb

    conn = duckdb.connect(str(warehouse))
    if mode == "loader":  # imports are process start-up, paid once per run: not timed
        import great_expectations  # noqa: F401

        from ingestion.loader import load_source
        from ingestion.sources import SOURCES
    started = time.perf_counter()
    if mode == "loader":
        report = load_source(conn, SOURCES[table], landing)
        rows = report.rows_loaded
        statuses = sorted({f.status for f in report.files})
    else:
        [path] = [p for p in landing.rglob("*") if p.is_file()]
        reader = "read_json" if path.suffix == ".jsonl" else "read_csv"
        conn.execute(f"create table bare as select * from {reader}('{path}')")
        rows = conn.execute("select count(*) from bare").fetchall()[0][0]
        statuses = ["loaded"]
    seconds = time.perf_counter() - started
    conn.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"rows": rows, "seconds": seconds, "peak_rss_bytes": peak, "statuses": statuses}


def _measure(mode: str, table: str, landing: Path, workdir: Path) -> dict:
    warehouse = workdir / f"{mode}_{table}.duckdb"
    warehouse.unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, table, str(landing), str(warehouse)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} on {table} failed:\n{out.stderr[-3000:]}")
    warehouse.unlink(missing_ok=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="web events to load")
    parser.add_argument("--pos", type=int, default=2_000_000, help="POS rows to load")
    parser.add_argument("--workdir", type=Path, default=None, help="where files are written")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, table, landing, warehouse = args.child
        print(json.dumps(_child(mode, table, Path(landing), Path(warehouse))))
        return

    sys.path.insert(0, str(REPO))
    from rich.console import Console
    from rich.table import Table

    console = Console()
    with tempfile.TemporaryDirectory(prefix="cdp-bench-", dir=args.workdir) as folder:
        workdir = Path(folder)
        datasets = {
            "shopify_web_events": (
                workdir / "events" / "shopify" / "web_events_2025.jsonl",
                args.events,
                write_web_events,
                "read_json",
            ),
            "square_transactions": (
                workdir / "pos" / "square" / "transactions-2025-01-01-2025-12-31.csv",
                args.pos,
                write_pos_transactions,
                "read_csv",
            ),
        }
        runs = []
        for table, (path, rows, write, bare_reader) in datasets.items():
            with console.status(f"Writing {rows:,} rows for {table}…"):
                started = time.perf_counter()
                write(path, rows)
                written = time.perf_counter() - started
            size = path.stat().st_size
            console.print(f"{path.name}: {rows:,} rows, {size / 2**30:.2f} GiB in {written:.0f}s")
            landing = path.parents[1]
            for mode, label in (("bare", f"DuckDB {bare_reader}"), ("loader", "cdp loader")):
                with console.status(f"{label} on {path.name}…"):
                    result = _measure(mode, table, landing, workdir)
                if result["rows"] != rows:
                    raise SystemExit(f"{label} loaded {result['rows']:,} of {rows:,} rows")
                runs.append(
                    {
                        "table": table,
                        "file_bytes": size,
                        "reader": label,
                        "rows": rows,
                        "seconds": round(result["seconds"], 2),
                        "rows_per_second": round(rows / result["seconds"]),
                        "mib_per_second": round(size / 2**20 / result["seconds"], 1),
                        "peak_rss_mib": round(result["peak_rss_bytes"] / 2**20),
                    }
                )
            path.unlink()

    summary = {}
    for table in datasets:
        bare, ours = [r for r in runs if r["table"] == table]
        summary[table] = {
            "speed_ratio": round(ours["rows_per_second"] / bare["rows_per_second"], 3),
            "meets_speed_target": ours["rows_per_second"]
            >= TARGET_SPEED_RATIO * bare["rows_per_second"],
            "meets_memory_target": ours["peak_rss_mib"] < TARGET_PEAK_GIB * 1024,
        }
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_end": os.getloadavg(),
        },
        "targets": {"speed_ratio": TARGET_SPEED_RATIO, "peak_gib": TARGET_PEAK_GIB},
        "runs": runs,
        "summary": summary,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")

    table = Table(title="Ingestion benchmark", title_justify="left")
    for column in ("table", "reader", "rows", "seconds", "rows/s", "MiB/s", "peak RSS MiB"):
        table.add_column(column, justify="left" if column in ("table", "reader") else "right")
    for r in runs:
        table.add_row(
            r["table"],
            r["reader"],
            f"{r['rows']:,}",
            f"{r['seconds']:.1f}",
            f"{r['rows_per_second']:,}",
            f"{r['mib_per_second']:.0f}",
            f"{r['peak_rss_mib']:,}",
        )
    console.print(table)
    for name, s in summary.items():
        speed = "met" if s["meets_speed_target"] else "missed"
        memory = "met" if s["meets_memory_target"] else "missed"
        console.print(
            f"{name}: loader at {s['speed_ratio']:.0%} of the bare reader's rows/s "
            f"(target ≥ {TARGET_SPEED_RATIO:.0%}: {speed}), memory target {memory}"
        )
    console.print(f"Results: {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
