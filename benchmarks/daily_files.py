"""The "many small files" landing layout: the demo exports re-split into one file per day.

`cdp demo-data` writes what a shop pulls once a month (web events per month, Square exports per
month, Shopify REST pages of 250 orders over the whole history) and has no option to split per
day. A shop that pulls every day has one file per day instead; this module rewrites a demo
landing folder that way, in each tool's documented naming (docs/sources.md,
ingestion/sources.py), so the loader recognises every file by its name:

- Shopify web events, JSON Lines (`web_events*.jsonl`): `web_events_YYYY-MM-DD.jsonl`, the
  events of one UTC day (the day of the event's `timestamp`), lines byte for byte as written;
- Shopify orders, REST Admin API pages (`orders*.json`, body `{"orders": [...]}`): a daily pull
  with `created_at_min` / `created_at_max` over the shop's day, paged by 250 as the API pages:
  `orders_YYYY-MM-DD_0001.json`, … (the day of `created_at`, which carries the shop's offset);
- Square transactions and item details CSV (`transactions-*.csv`, `items-*.csv`): the Dashboard
  export of a one-day range, named as Square names it,
  `transactions-YYYY-MM-DD-YYYY-MM-DD.csv` (the row's `Date`), header and rows as written.

Every other file (customer directories, Mailchimp audiences and per-campaign reports, products)
is already one file per export and is hard-linked unchanged. Everything streams: a 1M-people
landing folder (about 20 GB) is split without holding more than one page of orders in memory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import IO

from cdp.demo_data.shopify import PAGE_SIZE
from cdp.demo_data.writers import dumps

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EVENT_DAY = re.compile(rb'"timestamp":"(\d{4}-\d{2}-\d{2})')


@dataclass
class SplitKind:
    """What one kind of export became: files read, files written, records carried over."""

    table: str
    source_files: int = 0
    files: int = 0
    records: int = 0


@dataclass
class SplitReport:
    kinds: dict[str, SplitKind] = field(default_factory=dict)
    linked_files: int = 0

    def kind(self, table: str) -> SplitKind:
        return self.kinds.setdefault(table, SplitKind(table))

    def as_dict(self) -> dict:
        return {
            "linked_files": self.linked_files,
            "split": {
                name: {"source_files": k.source_files, "files": k.files, "records": k.records}
                for name, k in self.kinds.items()
            },
        }


class _DayWriter:
    """Appends to one output file per day, keeping only the current day's file open (inputs
    are mostly in time order, so this opens each file a handful of times)."""

    def __init__(self, name_of_day, header: bytes = b"") -> None:
        self.name_of_day = name_of_day
        self.header = header
        self.created: set[Path] = set()
        self._day: str | None = None
        self._out: IO[bytes] | None = None

    def write(self, day: str, record: bytes) -> None:
        if day != self._day:
            self.close()
            path = self.name_of_day(day)
            self._out = path.open("ab")
            if path not in self.created:
                self.created.add(path)
                self._out.write(self.header)
            self._day = day
        self._out.write(record)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
        self._out, self._day = None, None


def _check_day(day: str, where: Path) -> str:
    if not _DAY.fullmatch(day):
        raise ValueError(f"{where}: no YYYY-MM-DD day in a record ({day!r})")
    return day


def split_web_events(source: Path, folder: Path, kind: SplitKind) -> None:
    writer = _DayWriter(lambda day: folder / f"web_events_{day}.jsonl")
    with source.open("rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            found = _EVENT_DAY.search(line)
            day = found.group(1).decode() if found else json.loads(line)["timestamp"][:10]
            writer.write(_check_day(day, source), line)
            kind.records += 1
    writer.close()
    kind.source_files += 1
    kind.files = len(set(folder.glob("web_events_*.jsonl")))


def _csv_records(source: Path):
    """(header, records) of a CSV file, each record the exact bytes of its line(s): a record
    ends at a line break outside quotes (RFC 4180), so a quoted line break stays inside."""
    with source.open("rb") as lines:
        header = next(lines)
        pending = b""
        for line in lines:
            pending += line
            if pending.count(b'"') % 2 == 0:
                yield header, pending
                pending = b""
        if pending:
            yield header, pending


def split_square(source: Path, folder: Path, prefix: str, kind: SplitKind) -> None:
    writer: _DayWriter | None = None
    for header, record in _csv_records(source):
        if writer is None:
            writer = _DayWriter(lambda day: folder / f"{prefix}-{day}-{day}.csv", header)
        day = record.split(b",", 1)[0].strip(b'"').decode()
        writer.write(_check_day(day, source), record)
        kind.records += 1
    if writer is not None:
        writer.close()
    kind.source_files += 1
    kind.files = len(list(folder.glob(f"{prefix}-*.csv")))


def spool_orders(source: Path, spool: Path, kind: SplitKind) -> None:
    """Appends each order of a REST page, as compact JSON on one line, to its day's spool."""
    orders = json.loads(source.read_text(encoding="utf-8"))["orders"]
    by_day: dict[str, list[str]] = {}
    for order in orders:
        day = _check_day(str(order.get("created_at") or "")[:10], source)
        by_day.setdefault(day, []).append(dumps(order))
    for day, lines in by_day.items():
        with (spool / f"{day}.jsonl").open("a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
    kind.source_files += 1
    kind.records += len(orders)


def write_order_pages(spool: Path, folder: Path, kind: SplitKind) -> None:
    """One day's orders as REST pages of 250: `{"orders":[...]}`, as the generator writes."""
    for day_file in sorted(spool.glob("*.jsonl")):
        lines = day_file.read_text(encoding="utf-8").splitlines()
        for n, start in enumerate(range(0, len(lines), PAGE_SIZE), start=1):
            page = folder / f"orders_{day_file.stem}_{n:04d}.json"
            page.write_text('{"orders":[' + ",".join(lines[start : start + PAGE_SIZE]) + "]}\n")
            kind.files += 1
        day_file.unlink()


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def split_by_day(landing: Path, target: Path) -> SplitReport:
    """Writes `landing`'s files into `target` (empty or missing) in the daily layout."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise ValueError(f"{target} is not empty")
    report = SplitReport()
    spool = target.parent / f".{target.name}-orders-spool"
    shutil.rmtree(spool, ignore_errors=True)
    spool.mkdir()
    order_folders: set[Path] = set()
    for source in sorted(p for p in landing.rglob("*") if p.is_file()):
        if source.name.startswith("."):
            continue  # the demo marker: not an export
        relative = source.relative_to(landing)
        folder = target / relative.parent
        folder.mkdir(parents=True, exist_ok=True)
        name = source.name.lower()
        if fnmatch(name, "web_events*.jsonl"):
            split_web_events(source, folder, report.kind("shopify_web_events"))
        elif fnmatch(name, "transactions-*.csv"):
            split_square(source, folder, "transactions", report.kind("square_transactions"))
        elif fnmatch(name, "items-*.csv"):
            split_square(source, folder, "items", report.kind("square_items"))
        elif fnmatch(name, "orders*.json"):
            spool_orders(source, spool, report.kind("shopify_orders"))
            order_folders.add(folder)
        else:
            _link(source, folder / source.name)
            report.linked_files += 1
    if len(order_folders) > 1:
        raise ValueError(f"orders in more than one folder: {sorted(order_folders)}")
    for folder in order_folders:
        write_order_pages(spool, folder, report.kind("shopify_orders"))
    spool.rmdir()
    return report
