"""File writing shared by the per-tool modules: each tool's CSV quoting, compact JSON, the
log of written files, and the clean-up of a previous run's files (only those: see
`clean_previous`).

Quoting follows what the tools emit (Mailchimp quotes any value with a space, Square quotes
empty text cells as `""`), so raw files look like real downloads, not like pandas output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cdp.core.errors import CdpError
from cdp.demo_data.marker import earlier_demo_output, marker_path

# The ground truth beside the landing folder, and the generator's own spool files (a crashed
# run may leave those behind: their names are ours, so they are always removed).
TRUTH_FILES = ("people.csv", "records.csv", "identifiers.csv")
SPOOL_PATTERNS = (".web_events_*.tmp", ".web_records.tmp")
# Shown in a refusal: at most this many of the files that are not demo output.
_SHOWN = 5


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
    """Removes the files an earlier run wrote, so stale months or campaigns never linger.

    Only files whose content is still what an earlier run wrote (listed with their sha256 in
    the marker, `marker.py`) are deleted. A folder holding anything else (real exports, a demo
    file edited since, files written before markers existed) is refused before anything is
    deleted: demo data never replaces or mixes with files it did not write.
    """
    ours, foreign = earlier_demo_output(landing_dir, truth_dir, TRUTH_FILES)
    spool = {
        path
        for folder in (landing_dir, truth_dir)
        if folder.is_dir()
        for pattern in SPOOL_PATTERNS
        for path in folder.rglob(pattern)
    }
    foreign = [path for path in foreign if path not in spool]
    if foreign:
        shown = ", ".join(str(path) for path in foreign[:_SHOWN])
        more = f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
        raise CdpError(
            f"Not writing demo data: {landing_dir} (or the ground truth folder {truth_dir}) "
            f"holds {len(foreign)} file(s) that `cdp demo-data` did not write: {shown}{more}. "
            "Demo data goes into a folder of its own: move those files away, or set "
            "CDP_LANDING_DIR (and CDP_WAREHOUSE) to other folders. Nothing was deleted."
        )
    for path in [*ours, *sorted(spool)]:
        path.unlink()
    marker_path(landing_dir).unlink(missing_ok=True)
    marker_path(truth_dir).unlink(missing_ok=True)


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


def in_header_order(header: Sequence[str], cells: dict[str, str]) -> list[str]:
    """A CSV row from `{column: value}`: columns it does not name are blank."""
    unknown = cells.keys() - set(header)
    if unknown:
        raise ValueError(f"not columns of this file: {sorted(unknown)}")
    return [cells.get(column, "") for column in header]


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
