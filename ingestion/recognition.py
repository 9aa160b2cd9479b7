"""Which known format a landing file is, when its name does not say so, and how near it comes.

Real tools name their files in many ways (a renamed download, a file saved from a script), and
a format the project does not know yet must be reported, not silently skipped. For a file in a
tool's folder:

- named like one of the tool's exports: read as that export; when its header misses required
  columns, the rejection names the nearest known format and the differing columns;
- named like none: recognised by its content when it clearly is one known format of that tool
  (a CSV whose header has every required column of exactly one format, most of its columns
  known; JSON records whose keys carry one format's natural key and mostly its fields), and
  loaded with a note saying so; otherwise listed as not loaded, with the nearest known format
  and the differing columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingestion.files import json_shape, sample_records, sniff_csv
from ingestion.sources import (
    SOURCES,
    CsvFormat,
    JsonFormat,
    SourceSpec,
    tool_folders,
    tool_of_folder,
)

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
# A file is recognised by its content only when at least this share of its columns (CSV) or
# of its records' keys (JSON) belongs to the format, and no other format comes within reach.
MIN_KNOWN_SHARE = 0.5
MIN_LEAD = 0.15


@dataclass(frozen=True)
class Candidate:
    spec: SourceSpec
    share: float
    """Share of the file's columns (record keys) that the format knows."""
    missing: tuple[str, ...]
    """Required columns (record keys) of the format the file lacks."""
    unknown: tuple[str, ...]
    """The file's columns (record keys) the format does not know."""

    @property
    def complete(self) -> bool:
        return not self.missing


def _csv_candidates(headers: list[str], specs: list[SourceSpec]) -> list[Candidate]:
    found = []
    for spec in specs:
        if not isinstance(spec.format, CsvFormat):
            continue
        match = spec.format.match(headers)
        unknown = tuple(h for _, h in match.unknown if h.strip())
        found.append(Candidate(spec, match.known_share, tuple(match.missing), unknown))
    return sorted(found, key=lambda c: (c.complete, c.share), reverse=True)


def _json_candidates(records: list[dict], specs: list[SourceSpec]) -> list[Candidate]:
    keys = set().union(*(r.keys() for r in records)) if records else set()
    found = []
    for spec in specs:
        if spec.parent or isinstance(spec.format, CsvFormat):
            continue
        for fmt in spec.formats:
            assert isinstance(fmt, JsonFormat)
            known = fmt.record_keys
            needed = {
                p.split(".")[1]
                for column in spec.key_columns
                for p in _paths(fmt, column)
                if p.startswith("$.") and fmt.child_path is None
            }
            missing = () if not needed or needed & keys else tuple(sorted(needed))
            share = len(keys & known) / len(keys) if keys else 0.0
            unknown = tuple(sorted(keys - known))
            found.append(Candidate(spec, share, missing, unknown))
    return sorted(found, key=lambda c: (c.share, c.complete), reverse=True)


def _paths(fmt: JsonFormat, column: str) -> tuple[str, ...]:
    value = fmt.columns.get(column) or fmt.child_columns.get(column) or ()
    return value if isinstance(value, tuple) else (value,)


def _tool_specs(tool: str | None) -> list[SourceSpec]:
    return [s for s in SOURCES.values() if tool is None or s.tool == tool]


def _tool_of(path: Path, landing_dir: Path) -> str | None:
    parts = path.relative_to(landing_dir).parts
    return tool_of_folder(parts[0]) if len(parts) > 1 else None


@lru_cache(maxsize=4096)
def _candidates(path: Path, tool: str | None, size: int, mtime: float) -> tuple[Candidate, ...]:
    """Formats of the tool folder ranked for this file (cached per file version)."""
    del size, mtime  # part of the cache key only
    specs = _tool_specs(tool)
    suffix = path.suffix.lower()
    # The head of the file is enough (and cheap, even for a large file): read as UTF-8 with
    # replacement, which keeps every header and key of an ASCII-named export intact.
    try:
        if suffix in CSV_SUFFIXES:
            known = tuple(
                h for s in specs if isinstance(s.format, CsvFormat) for h in s.format.known_headers
            )
            dialect = sniff_csv(path, known)
            return tuple(_csv_candidates(dialect.headers, specs)) if dialect else ()
        if suffix in JSON_SUFFIXES:
            json_specs = [s for s in specs if isinstance(s.format, JsonFormat)]
            formats = [f for s in json_specs for f in s.formats]
            root_keys = {f.root_key for f in formats if f.root_key}
            record_keys = set().union(*(f.record_keys for f in formats))
            shape = json_shape(path, root_keys, record_keys)
            if shape == "empty":
                return ()
            records = sample_records(path, shape, root_keys)
            return tuple(_json_candidates(records, json_specs))
    except Exception:  # noqa: BLE001 - unreadable content: reported as such by the caller
        return ()
    return ()


def candidates_for(path: Path, tool: str | None) -> tuple[Candidate, ...]:
    stat = path.stat()
    return _candidates(path, tool, stat.st_size, stat.st_mtime)


def _is_clear(ranked: tuple[Candidate, ...]) -> Candidate | None:
    if not ranked or not ranked[0].complete or ranked[0].share < MIN_KNOWN_SHARE:
        return None
    best = ranked[0]
    for other in ranked[1:]:
        if other.spec.table == best.spec.table:
            continue
        if other.complete and best.share - other.share < MIN_LEAD:
            return None
        break
    return best


def recognised_as(path: Path, landing_dir: Path) -> SourceSpec | None:
    """The source a file named like no export clearly belongs to, by its content."""
    tool = _tool_of(path, landing_dir)
    if tool is None or any(s.matches(path) for s in _tool_specs(tool)):
        return None
    best = _is_clear(candidates_for(path, tool))
    return best.spec if best else None


def recognised_files(spec: SourceSpec, landing_dir: Path) -> list[Path]:
    """Files of `spec`'s tool folder named like no export whose content clearly is `spec`'s
    (for a child table such as line items: whose content is its parent's)."""
    owner = spec.parent or spec.table
    return [
        path
        for folder in tool_folders(landing_dir, spec.tool)
        for path in folder.rglob("*")
        if path.is_file()
        and not path.name.startswith(".")
        and path.suffix.lower() in (*CSV_SUFFIXES, *JSON_SUFFIXES)
        and (found := recognised_as(path, landing_dir)) is not None
        and found.table == owner
    ]


def recognition_note(spec: SourceSpec, path: Path) -> str:
    what = "header" if isinstance(spec.format, CsvFormat) else "records"
    return (
        f"recognised by its {what} as {spec.table} ({spec.description.rstrip('.')}): "
        f"the name {path.name!r} matches no known file pattern"
    )


def _differences(candidate: Candidate, limit: int = 8) -> str:
    parts = []
    if candidate.missing:
        parts.append("missing required " + ", ".join(candidate.missing))
    if candidate.unknown:
        shown = ", ".join(repr(u) for u in candidate.unknown[:limit])
        extra = len(candidate.unknown) - limit
        more = f" and {extra} more" if extra > 0 else ""
        parts.append(f"{len(candidate.unknown)} unknown column(s): {shown}{more}")
    return "; ".join(parts) or "no differing columns"


def nearest_note(headers: list[str], spec: SourceSpec) -> str:
    """For a rejected CSV: `; nearest known format: … (differs: …)`, or a hint when another
    export of the tool matches the header better than the one its name suggests."""
    ranked = _csv_candidates(headers, _tool_specs(spec.tool))
    if not ranked:
        return ""
    best = ranked[0]
    if best.spec.table != spec.table and best.complete:
        return (
            f"; the header is that of {best.spec.label}: name the file like "
            f"{best.spec.file_patterns[0]}"
        )
    return f"; nearest known format: {best.spec.label} ({_differences(best)})"


def better_format(headers: list[str], spec: SourceSpec) -> SourceSpec | None:
    """Another export of the same tool whose format the header clearly is (an item details
    export saved under a transactions name), or None."""
    ranked = _csv_candidates(headers, _tool_specs(spec.tool))
    own = next((c for c in ranked if c.spec.table == spec.table), None)
    for other in ranked:
        if other.spec.table == spec.table or not other.complete:
            continue
        if own and other.share >= MIN_KNOWN_SHARE and other.share - own.share >= MIN_LEAD:
            return other.spec
        break
    return None


def describe_unrecognised(path: Path, landing_dir: Path) -> str:
    """Why a file was not loaded, with the nearest known format and the differing columns."""
    tool = _tool_of(path, landing_dir)
    relative = path.relative_to(landing_dir).as_posix()
    if path.suffix.lower() not in (*CSV_SUFFIXES, *JSON_SUFFIXES):
        return f"{relative}: not a CSV or JSON export (see docs/sources.md for file names)"
    ranked = candidates_for(path, tool)
    where = f"the {tool}/ folder" if tool else "the landing folder (put it in a tool's folder)"
    if not ranked:
        return f"{relative}: named like no export of {where}, and its content is not readable"
    best = ranked[0]
    if best.share == 0:
        names = ", ".join(sorted({c.spec.label for c in ranked}))
        return (
            f"{relative}: named like no export of {where}, and it shares no column with any "
            f"known format there ({names}); its columns: "
            + ", ".join(repr(u) for u in best.unknown[:12])
        )
    reason = (
        "its content matches more than one format"
        if best.complete and _is_clear(ranked) is None and best.share >= MIN_KNOWN_SHARE
        else "its content is no known format"
    )
    return (
        f"{relative}: named like no export of {where} and {reason}; nearest known format: "
        f"{best.spec.label}, files named {best.spec.file_patterns[0]} ({_differences(best)})"
    )
