"""Writes one segment's import file for one destination, plus a manifest describing it.

Layout: `<exports_dir>/<destination>/<segment>/<destination file>` and `manifest.json` next to
it. Both are replaced atomically, data first and manifest last, so a manifest whose sha256
matches the data file marks a complete export. Rows are ordered by person_id so an unchanged
segment gives a byte-identical file (and checksum) from run to run.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from exports.atomic import atomic_writer, write_text_atomic
from exports.consent import DUPLICATE_EMAIL, MISSING_PERSON_ID, refusal_reason
from exports.csv_safety import E164, neutralise, text
from exports.destinations import Destination, get_destination
from exports.errors import ExportError
from exports.segments import SegmentSpec, check_destination_allowed

SCHEMA_VERSION = 1
MANIFEST_NAME = "manifest.json"
PROFILES_RELATION = "marts.profiles"
# The `marts.profiles` contract columns the destinations read.
PROFILE_COLUMNS: tuple[str, ...] = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "address_line_1",
    "address_line_2",
    "city",
    "region",
    "postal_code",
    "country_code",
    "is_email_marketable",
    "is_sms_marketable",
    "lifecycle_stage",
)
_FETCH_BATCH = 10_000
_RELATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class ExportResult:
    """The facts of one export, the same ones written to its manifest.json.

    `rows + refused_total == segment_size` always holds; `warnings` counts values that were
    blanked rather than exported (invalid phone, unmapped lifecycle stage, ...).
    """

    destination: str
    segment: str
    model_name: str
    relation: str
    path: Path
    manifest_path: Path
    columns: tuple[str, ...]
    rows: int
    segment_size: int
    refused: dict[str, int]
    warnings: dict[str, int]
    generated_at: str
    sha256: str
    bytes: int
    marketing_channel: str | None
    schema_version: int = SCHEMA_VERSION

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    def manifest(self) -> dict[str, Any]:
        """The manifest.json content (paths relative to its folder, so the folder can move)."""
        return {
            "schema_version": self.schema_version,
            "destination": self.destination,
            "segment": self.segment,
            "model": self.model_name,
            "relation": self.relation,
            "marketing_channel": self.marketing_channel,
            "file": self.path.name,
            "columns": list(self.columns),
            "rows": self.rows,
            "segment_size": self.segment_size,
            "refused": dict(self.refused),
            "refused_total": self.refused_total,
            "warnings": dict(self.warnings),
            "generated_at": self.generated_at,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }

    def as_metadata(self) -> dict[str, Any]:
        """Manifest facts plus absolute paths, as plain JSON types (Dagster metadata, CLI)."""
        return {**self.manifest(), "path": str(self.path), "manifest_path": str(self.manifest_path)}


def export_segment(
    conn: duckdb.DuckDBPyConnection,
    segment: SegmentSpec,
    destination: str,
    exports_dir: Path,
    generated_at: datetime,
) -> ExportResult:
    """Exports `segment`'s people to `destination`'s import file; see the module docstring."""
    dest = get_destination(destination)
    check_destination_allowed(segment, dest)
    stamp = _utc_iso(generated_at)
    relation = _quoted_relation(segment)
    folder = exports_dir / dest.name / segment.name
    data_path = folder / dest.file_name

    refused: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    refused[MISSING_PERSON_ID] = _count_null_person_ids(conn, segment, relation)
    segment_size = refused[MISSING_PERSON_ID]
    rows = 0
    seen_emails: set[str] = set()
    previous_id: str | None = None

    with atomic_writer(data_path) as out:
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(dest.headers)
        cursor = _run(conn, segment, _select_sql(relation))
        names = [column[0] for column in cursor.description]
        while batch := cursor.fetchmany(_FETCH_BATCH):
            for values in batch:
                profile = dict(zip(names, values, strict=True))
                person_id = profile["person_id"]
                if person_id == previous_id:
                    raise ExportError(
                        f"{PROFILES_RELATION} has more than one row for person_id {person_id!r} "
                        "(its contract is one row per person); fix the model, then re-export."
                    )
                previous_id = person_id
                segment_size += 1
                reason = refusal_reason(profile, dest)
                if reason is None:
                    email_key = text(profile["email"]).lower()
                    if email_key in seen_emails:
                        reason = DUPLICATE_EMAIL
                    seen_emails.add(email_key)
                if reason is not None:
                    refused[reason] += 1
                    continue
                writer.writerow(_safe_cells(dest, dest.format_row(profile, segment, notes)))
                rows += 1

    result = ExportResult(
        destination=dest.name,
        segment=segment.name,
        model_name=segment.model_name,
        relation=segment.relation,
        path=data_path,
        manifest_path=folder / MANIFEST_NAME,
        columns=dest.headers,
        rows=rows,
        segment_size=segment_size,
        refused={reason: n for reason, n in sorted(refused.items()) if n},
        warnings=dict(sorted(notes.items())),
        generated_at=stamp,
        sha256=out.hexdigest(),
        bytes=out.bytes_written,
        marketing_channel=dest.marketing_channel,
    )
    write_text_atomic(result.manifest_path, _json(result.manifest()))
    return result


def _safe_cells(dest: Destination, cells: dict[str, str]) -> list[str]:
    """Orders cells by the destination's headers and neutralises formula-like text.

    Phone columns are exempt from the quote (it would break them) but must be strict E.164 or
    empty; anything else means a formatter bug, which must not reach a file.
    """
    if set(cells) != set(dest.headers):
        raise ExportError(
            f"Destination {dest.name!r} produced columns {sorted(cells)}, "
            f"expected {list(dest.headers)}."
        )
    ordered: list[str] = []
    for header in dest.headers:
        value = cells[header]
        if header in dest.phone_columns:
            if value and not E164.match(value):
                raise ExportError(
                    f"Destination {dest.name!r} wrote a non-E.164 value in phone column {header!r}."
                )
            ordered.append(value)
        else:
            ordered.append(neutralise(value))
    return ordered


def _select_sql(relation: str) -> str:
    profile_columns = ", ".join(f"p.{column}" for column in PROFILE_COLUMNS)
    return f"""
        select s.person_id, p.person_id is not null as in_profiles, {profile_columns},
               coalesce(c.all_consented, false) as email_all_profiles_consented
        from (select distinct cast(person_id as varchar) as person_id
              from {relation} where person_id is not null) as s
        left join {PROFILES_RELATION} as p on p.person_id = s.person_id
        left join (
            select lower(trim(email)) as email_key,
                   bool_and(coalesce(is_email_marketable, false)) as all_consented
            from {PROFILES_RELATION} where email is not null group by 1
        ) as c on c.email_key = lower(trim(p.email))
        order by s.person_id
    """


def _count_null_person_ids(
    conn: duckdb.DuckDBPyConnection, segment: SegmentSpec, relation: str
) -> int:
    row = _run(conn, segment, f"select count(*) from {relation} where person_id is null").fetchone()
    return int(row[0]) if row else 0


def _run(conn: duckdb.DuckDBPyConnection, segment: SegmentSpec, sql: str) -> Any:
    """Executes `sql`, turning DuckDB's missing table/column errors into an ExportError."""
    try:
        return conn.execute(sql)
    except duckdb.Error as exc:
        raise ExportError(
            f"Cannot read segment {segment.name!r} from {segment.relation} joined to "
            f"{PROFILES_RELATION} (needs person_id there and columns {list(PROFILE_COLUMNS)} "
            f"in {PROFILES_RELATION}); has `dbt build` run? DuckDB said: {exc}"
        ) from None


def _quoted_relation(segment: SegmentSpec) -> str:
    if not _RELATION.match(segment.relation):
        raise ExportError(
            f"Segment {segment.name!r}: relation {segment.relation!r} is not `schema.table`."
        )
    schema, table = segment.relation.split(".")
    return f'"{schema}"."{table}"'


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ExportError(
            "generated_at must be timezone-aware (e.g. datetime.now(UTC)); a naive "
            "datetime would make the manifest's time ambiguous."
        )
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
