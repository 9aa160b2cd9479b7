"""Writes one segment's files for one destination, incrementally, plus a manifest describing them.

Layout: `<exports_dir>/<destination>/<segment>/` holds the full file (`<file>`), the changes
since the last successful export (`<stem>.adds.<ext>`, `<stem>.removes.<ext>`) and
`manifest.json`. Files are replaced atomically, data first and the manifest last, so a manifest
whose checksums match the data files marks a complete export. Rows are ordered by person_id so
an unchanged segment gives byte-identical files; when nothing changed since the last successful
export nothing is written at all (status `unchanged`). The sync state
(`exports.sync_state`) only advances after the files (and the webhook delivery) succeeded.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from cdp.core.identifier_hygiene import prime_normalised_emails
from exports import sync_state
from exports.atomic import write_bytes_atomic, write_text_atomic
from exports.consent import DUPLICATE_EMAIL, MISSING_PERSON_ID, refusal_reason
from exports.csv_safety import text
from exports.destinations import Destination, get_destination
from exports.errors import ExportError
from exports.formats import render
from exports.model import ADDRESS_COLUMNS
from exports.segments import SegmentSpec, check_destination_allowed
from exports.suppression import EMPTY, Suppression
from exports.webhook import WebhookClient

SCHEMA_VERSION = 2
MANIFEST_NAME = "manifest.json"
PROFILES_RELATION = "marts.profiles"
# The `marts.profiles` contract columns the destinations read.
PROFILE_COLUMNS: tuple[str, ...] = (
    "email",
    "phone",
    "first_name",
    "last_name",
    *ADDRESS_COLUMNS,
    "is_email_marketable",
    "is_sms_marketable",
    "lifecycle_stage",
)
_FETCH_BATCH = 10_000
_RELATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$")

Status = Literal["written", "unchanged", "skipped"]


@dataclass(frozen=True)
class FileFacts:
    """One written file: name (relative to the manifest), checksum, size and data rows."""

    file: str
    sha256: str
    bytes: int
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "bytes": self.bytes, "rows": self.rows}


@dataclass(frozen=True)
class ExportResult:
    """The facts of one export, the same ones written to its manifest.json.

    `rows + refused_total == segment_size` always holds; `adds` / `removes` count the rows of
    the change files; `warnings` counts values that were blanked rather than exported (invalid
    phone, unmapped lifecycle stage, ...). `status` is `written`, `unchanged` (nothing changed
    since the last successful export, so nothing was written and manifest.json still describes
    that export) or `skipped` (a webhook without CDP_WEBHOOK_URL; `message` says why).
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
    file_format: str = "csv"
    adds: int = 0
    removes: int = 0
    files: dict[str, FileFacts] = field(default_factory=dict)
    status: Status = "written"
    message: str = ""
    delivery: dict[str, Any] | None = None
    suppression_entries: int = 0
    schema_version: int = SCHEMA_VERSION

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    @property
    def adds_path(self) -> Path:
        return self.path.parent / self.files["adds"].file if "adds" in self.files else self.path

    @property
    def removes_path(self) -> Path:
        facts = self.files.get("removes")
        return self.path.parent / facts.file if facts else self.path

    def manifest(self) -> dict[str, Any]:
        """The manifest.json content (paths relative to its folder, so the folder can move)."""
        manifest: dict[str, Any] = {
            "schema_version": self.schema_version,
            "destination": self.destination,
            "segment": self.segment,
            "model": self.model_name,
            "relation": self.relation,
            "marketing_channel": self.marketing_channel,
            "format": self.file_format,
            "file": self.path.name,
            "columns": list(self.columns),
            "rows": self.rows,
            "adds": self.adds,
            "removes": self.removes,
            "segment_size": self.segment_size,
            "refused": dict(self.refused),
            "refused_total": self.refused_total,
            "warnings": dict(self.warnings),
            "suppression_entries": self.suppression_entries,
            "generated_at": self.generated_at,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "files": {kind: facts.as_dict() for kind, facts in self.files.items()},
        }
        if self.delivery is not None:
            manifest["delivery"] = self.delivery
        return manifest

    def as_metadata(self) -> dict[str, Any]:
        """Manifest facts plus paths and status, as plain JSON types (Dagster metadata, CLI)."""
        return {
            **self.manifest(),
            "status": self.status,
            "message": self.message,
            "path": str(self.path),
            "manifest_path": str(self.manifest_path),
        }


def export_segment(
    conn: duckdb.DuckDBPyConnection,
    segment: SegmentSpec,
    destination: str,
    exports_dir: Path,
    generated_at: datetime,
    *,
    suppression: Suppression = EMPTY,
    webhook: WebhookClient | None = None,
) -> ExportResult:
    """Exports `segment`'s people to `destination`; see the module docstring."""
    dest = get_destination(destination)
    check_destination_allowed(segment, dest)
    stamp = _utc_iso(generated_at)
    relation = _quoted_relation(segment)
    folder = exports_dir / dest.name / segment.name
    data_path = folder / dest.file_name
    common = {
        "destination": dest.name,
        "segment": segment.name,
        "model_name": segment.model_name,
        "relation": segment.relation,
        "path": data_path,
        "manifest_path": folder / MANIFEST_NAME,
        "columns": dest.headers,
        "marketing_channel": dest.marketing_channel,
        "file_format": dest.file_format,
        "suppression_entries": len(suppression),
    }
    if dest.delivers_over_http and webhook is None:
        return ExportResult(
            **common,
            rows=0,
            segment_size=0,
            refused={},
            warnings={},
            generated_at=stamp,
            sha256="",
            bytes=0,
            status="skipped",
            message="CDP_WEBHOOK_URL is not set: nothing was sent or written.",
        )

    current, refused, notes, segment_size = _select_rows(conn, segment, dest, relation, suppression)
    previous = sync_state.load_state(conn, dest.name, segment.name)
    pending = sync_state.load_pending_removals(conn, dest.name, segment.name)
    adds, removes = sync_state.diff(previous, current, pending, dest.replaces_changed_rows)

    full_bytes = render(dest, [sent.row for sent in current.values()])
    full = FileFacts(data_path.name, _sha256(full_bytes), len(full_bytes), len(current))
    facts = {
        "refused": {reason: n for reason, n in sorted(refused.items()) if n},
        "warnings": dict(sorted(notes.items())),
        "rows": len(current),
        "segment_size": segment_size,
        "sha256": full.sha256,
        "bytes": full.bytes,
    }
    before = _previous_manifest(folder / MANIFEST_NAME)
    if (
        not adds
        and not removes
        and before is not None
        and before.get("sha256") == full.sha256
        # the same file, but refused people joined or left the segment: the manifest must say so
        and before.get("segment_size") == segment_size
        and before.get("refused", {}) == facts["refused"]
        and data_path.is_file()
        and data_path.stat().st_size == full.bytes
    ):
        return ExportResult(
            **common,
            **facts,
            generated_at=str(before.get("generated_at", stamp)),
            status="unchanged",
            message="nothing changed since the last export",
            files=_files_from_manifest(before),
        )

    adds_bytes = render(dest, adds)
    removes_bytes = render(dest, removes)
    files = {
        "full": full,
        "adds": FileFacts(
            dest.sibling_name("adds"), _sha256(adds_bytes), len(adds_bytes), len(adds)
        ),
        "removes": FileFacts(
            dest.sibling_name("removes"), _sha256(removes_bytes), len(removes_bytes), len(removes)
        ),
    }
    write_bytes_atomic(data_path, full_bytes)
    write_bytes_atomic(folder / files["adds"].file, adds_bytes)
    write_bytes_atomic(folder / files["removes"].file, removes_bytes)

    delivery = None
    if dest.delivers_over_http and webhook is not None:
        delivery = webhook.deliver(segment.name, dest.name, stamp, removes, adds).as_dict()

    result = ExportResult(
        **common,
        **facts,
        generated_at=stamp,
        adds=len(adds),
        removes=len(removes),
        files=files,
        status="written",
        delivery=delivery,
    )
    write_text_atomic(result.manifest_path, _json(result.manifest()))
    sync_state.save_state(conn, dest.name, segment.name, current, generated_at.astimezone(UTC))
    return result


def _select_rows(
    conn: duckdb.DuckDBPyConnection,
    segment: SegmentSpec,
    dest: Destination,
    relation: str,
    suppression: Suppression,
) -> tuple[dict[str, sync_state.SentRow], Counter[str], Counter[str], int]:
    """The rows the destination may receive now (by person_id), refusals, warnings, size."""
    refused: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    refused[MISSING_PERSON_ID] = _count_null_person_ids(conn, segment, relation)
    segment_size = refused[MISSING_PERSON_ID]
    current: dict[str, sync_state.SentRow] = {}
    seen_emails: set[str] = set()
    previous_id: str | None = None
    cursor = _run(conn, segment, _select_sql(relation))
    names = [column[0] for column in cursor.description]
    email_at = names.index("email") if "email" in names else None
    while batch := cursor.fetchmany(_FETCH_BATCH):
        if email_at is not None:  # hashing and suppression clean emails one by one
            prime_normalised_emails(values[email_at] for values in batch)
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
            profile["is_suppressed"] = bool(profile["in_profiles"]) and suppression.matches(
                profile.get("email"), profile.get("phone")
            )
            reason = refusal_reason(profile, dest)
            if reason is None and dest.requires_email:
                email_key = text(profile["email"]).lower()
                if email_key in seen_emails:
                    reason = DUPLICATE_EMAIL
                seen_emails.add(email_key)
            if reason is not None:
                refused[reason] += 1
                continue
            try:
                row = dest.format_row(profile, segment, notes)
            except ExportError:
                raise
            except Exception as exc:
                raise ExportError(
                    f"Segment {segment.name!r} → {dest.name}: person_id {person_id!r} could not "
                    f"be formatted: {type(exc).__name__}: {exc}"
                ) from exc
            current[person_id] = sync_state.SentRow(sync_state.row_hash(row), row)
    return current, refused, notes, segment_size


def _previous_manifest(path: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _files_from_manifest(manifest: dict[str, Any]) -> dict[str, FileFacts]:
    files: dict[str, FileFacts] = {}
    for kind, facts in (manifest.get("files") or {}).items():
        try:
            files[kind] = FileFacts(
                str(facts["file"]), str(facts["sha256"]), int(facts["bytes"]), int(facts["rows"])
            )
        except (KeyError, TypeError, ValueError):
            continue
    return files


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
