"""What a destination is: an import-file format plus the consent rule that applies to it.

A destination is data, not a class hierarchy: the writer needs its file name and format, its
exact headers, which marketing channel (if any) its file is used for, and one function turning
a profile row into a row keyed by those headers. Everything else (selection, consent,
suppression, CSV quoting, formula neutralisation, atomic write, incremental adds/removes,
manifest, delivery) is shared in `exports.writer`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from exports.model import SEGMENT_CHANNELS, Profile, SegmentSpec

MarketingChannel = Literal["email", "sms", "ads"]
FileFormat = Literal["csv", "jsonl", "parquet"]

# (profile, segment, notes) -> {header: cell}. `notes` counts value-level fixes (e.g. a blanked
# invalid phone) so they surface in the manifest instead of disappearing silently. CSV
# destinations return text cells; JSON Lines / Parquet destinations may return bools and None.
RowFormatter = Callable[[Profile, SegmentSpec, Counter[str]], dict[str, Any]]


@dataclass(frozen=True)
class Destination:
    """An import-file format of one tool.

    `marketing_channel` is the consent rule: "email" means the file feeds email marketing, so
    only `is_email_marketable` people may appear in it; "sms" likewise with
    `is_sms_marketable` and a phone; "ads" (ad-platform audiences) needs marketing consent
    too (`is_email_marketable`); None (a CRM, a data-team file) means everyone in the
    segment, with their consent carried as a column instead. The suppression list applies to
    every marketing channel.
    `channels` are the segment channels (meta.segment.channel) that may use the destination.
    `requires_email`: rows without a valid email are refused (the tool's contact key) and a
    second person with the same address is refused as `duplicate_email`.
    `required_fields`: other profile columns the tool refuses a row without
    (refusal reason `missing_<column>`).
    `phone_columns` are E.164-validated by the formatter and therefore written without the
    formula-neutralising quote, which would make them unimportable.
    `replaces_changed_rows`: a changed row is sent as a remove of its old version plus an add
    (ad audiences match on identifiers, so an old phone hash must leave the audience); other
    tools upsert, so a changed row is only an add.
    `column_types` (Parquet only): header -> "bool" for boolean columns; others are text.
    """

    name: str
    title: str
    file_name: str
    headers: tuple[str, ...]
    marketing_channel: MarketingChannel | None
    format_row: RowFormatter
    doc_title: str
    doc_url: str
    phone_columns: frozenset[str] = field(default_factory=frozenset)
    file_format: FileFormat = "csv"
    channels: frozenset[str] = SEGMENT_CHANNELS
    requires_email: bool = True
    required_fields: tuple[str, ...] = ()
    replaces_changed_rows: bool = False
    column_types: Mapping[str, str] = field(default_factory=dict)
    delivers_over_http: bool = False

    def __post_init__(self) -> None:
        if len(set(self.headers)) != len(self.headers):
            raise ValueError(f"destination {self.name}: duplicate headers {self.headers}")
        unknown = self.phone_columns - set(self.headers)
        if unknown:
            raise ValueError(f"destination {self.name}: phone_columns not in headers: {unknown}")
        if self.marketing_channel == "email" and self.channels != frozenset({"email"}):
            raise ValueError(f"destination {self.name}: email marketing needs channels {{email}}")
        if not self.channels <= SEGMENT_CHANNELS:
            raise ValueError(f"destination {self.name}: unknown channels {self.channels}")

    def sibling_name(self, kind: str) -> str:
        """`audience_import.csv` -> `audience_import.adds.csv` (kind = adds | removes)."""
        stem, dot, suffix = self.file_name.rpartition(".")
        return f"{stem}.{kind}.{suffix}" if dot else f"{self.file_name}.{kind}"
