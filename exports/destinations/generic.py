"""Generic files for data teams: Parquet and JSON Lines with the profile's contract columns.

Not a marketing file (no consent filter, everyone in the segment with a profile, no email
needed), so the consent and suppression status travel as columns. Not for spreadsheets either,
so values are typed (booleans stay booleans, NULL stays null) and not formula-neutralised.
JSON Lines: one UTF-8 JSON object per line (https://jsonlines.org/). Parquet: Apache Parquet
written by pyarrow, text columns as UTF-8 strings and the `is_*` columns as booleans.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from exports.csv_safety import text
from exports.destinations.base import Destination
from exports.model import ADDRESS_COLUMNS, Profile, SegmentSpec

COLUMNS: tuple[str, ...] = (
    "person_id",
    "segment",
    "email",
    "phone",
    "first_name",
    "last_name",
    *ADDRESS_COLUMNS,
    "lifecycle_stage",
    "is_email_marketable",
    "is_sms_marketable",
    "is_suppressed",
)
BOOLEAN_COLUMNS = ("is_email_marketable", "is_sms_marketable", "is_suppressed")
_TEXT_COLUMNS = COLUMNS[2:13]


def format_record(profile: Profile, segment: SegmentSpec, notes: Counter[str]) -> dict[str, Any]:
    record: dict[str, Any] = {"person_id": text(profile.get("person_id")), "segment": segment.name}
    for column in _TEXT_COLUMNS:
        record[column] = text(profile.get(column)) or None
    record["is_email_marketable"] = profile.get("is_email_marketable") is True
    record["is_sms_marketable"] = profile.get("is_sms_marketable") is True
    record["is_suppressed"] = bool(profile.get("is_suppressed"))
    return record


_COMMON: dict[str, Any] = {
    "headers": COLUMNS,
    "marketing_channel": None,
    "format_row": format_record,
    "requires_email": False,
    "column_types": {column: "bool" for column in BOOLEAN_COLUMNS},
}

PARQUET = Destination(
    name="parquet",
    title="Parquet file for data teams",
    file_name="segment.parquet",
    file_format="parquet",
    doc_title="Apache Parquet file format",
    doc_url="https://parquet.apache.org/docs/file-format/",
    **_COMMON,
)

JSONL = Destination(
    name="jsonl",
    title="JSON Lines file for data teams",
    file_name="segment.jsonl",
    file_format="jsonl",
    doc_title="JSON Lines",
    doc_url="https://jsonlines.org/",
    **_COMMON,
)
