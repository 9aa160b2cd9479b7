"""File writing shared by the per-tool modules: each tool's CSV quoting, compact JSON, the
log of written files, and the clean-up of a previous run's files.

Quoting follows what the tools emit (Mailchimp quotes any value with a space, Square quotes
empty text cells as `""`), so raw files look like real downloads, not like pandas output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

GENERATED_PATTERNS: dict[str, tuple[str, ...]] = {
    "mailchimp": (
        "subscribed_members_export_*.csv",
        "unsubscribed_members_export_*.csv",
        "cleaned_members_export_*.csv",
        "email_activity_*.json",
        "sent_to_*.json",
        "unsubscribed_*.json",
    ),
    "shopify": ("orders_*.json", "products.json", "customers_export*.csv", "web_events_*.jsonl",
                ".web_events_*.tmp"),
    "square": ("transactions-*.csv", "items-*.csv", "customers-*.csv"),
}  # fmt: skip
TRUTH_FILES = ("people.csv", "records.csv", "identifiers.csv", ".web_records.tmp")


@dataclass(frozen=True)
class WrittenFile:
    """One file the generator wrote and how many records it holds."""

    path: Path
    records: int
    """Data rows (CSV, without the header), array elements (JSON) or lines (JSON Lines)."""


@dataclass
class FileLog:
    files: list[WrittenFile] = field(default_factory=list)

    def add(self, path: Path, records: int) -> None:
        self.files.append(WrittenFile(path, records))


def clean_previous(landing_dir: Path, truth_dir: Path) -> None:
    """Remove files an earlier run wrote, so stale months or campaigns never linger."""
    for tool, patterns in GENERATED_PATTERNS.items():
        folder = landing_dir / tool
        if folder.is_dir():
            for pattern in patterns:
                for path in folder.glob(pattern):
                    path.unlink()
    for name in TRUTH_FILES:
        (truth_dir / name).unlink(missing_ok=True)


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _needs_quotes(value: str) -> bool:
    return "," in value or '"' in value or "\n" in value or "\r" in value


def mailchimp_cell(value: str) -> str:
    """Mailchimp quotes every value holding a space, comma or quote."""
    if value and (" " in value or _needs_quotes(value)):
        return _quote(value)
    return value


def plain_cell(value: str) -> str:
    return _quote(value) if _needs_quotes(value) else value


def square_cell(value: str, quote_empty: bool) -> str:
    """Square writes empty text cells as `""` and bare numbers and money."""
    if value == "":
        return '""' if quote_empty else ""
    return _quote(value) if _needs_quotes(value) else value


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    style: str = "plain",
    quote_empty: Sequence[bool] | None = None,
) -> int:
    """Write `rows` under `header` with a tool's quoting; return the number of data rows."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        if style == "mailchimp":
            cell = mailchimp_cell
            fh.write(",".join(cell(h) for h in header) + "\n")
            for row in rows:
                fh.write(",".join(cell(v) for v in row) + "\n")
                count += 1
        elif style == "square":
            flags = list(quote_empty or [False] * len(header))
            fh.write(",".join(plain_cell(h) for h in header) + "\n")
            for row in rows:
                fh.write(
                    ",".join(square_cell(v, q) for v, q in zip(row, flags, strict=True)) + "\n"
                )
                count += 1
        else:
            fh.write(",".join(plain_cell(h) for h in header) + "\n")
            for row in rows:
                fh.write(",".join(plain_cell(v) for v in row) + "\n")
                count += 1
    return count


def dumps(obj: object) -> str:
    """Compact JSON as APIs return it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(obj) + "\n", encoding="utf-8")


def month_spans(first: date, last: date) -> list[tuple[date, date]]:
    """Calendar months covering [first, last], clipped at both ends (how exports are pulled)."""
    spans = []
    cursor = first
    while cursor <= last:
        next_month = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = min(next_month - timedelta(days=1), last)
        spans.append((cursor, end))
        cursor = next_month
    return spans


def month_key(dt: datetime) -> str:
    return dt.strftime("%Y-%m")
