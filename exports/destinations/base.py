"""What a destination is: an import-file format plus the consent rule that applies to it.

A destination is data, not a class hierarchy: the writer needs its file name, its exact
headers, which marketing channel (if any) its file is used for, and one function turning a
profile row into a row keyed by those headers. Everything else (selection, consent, CSV
quoting, formula neutralisation, atomic write, manifest) is shared in `exports.writer`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from exports.segments import SegmentSpec

MarketingChannel = Literal["email", "sms"]

# One profile row from `marts.profiles` (column name -> value), as selected by the writer.
Profile = Mapping[str, Any]

# (profile, segment, notes) -> {header: cell}. `notes` counts value-level fixes (e.g. a blanked
# invalid phone) so they surface in the manifest instead of disappearing silently.
RowFormatter = Callable[[Profile, "SegmentSpec", Counter[str]], dict[str, str]]


@dataclass(frozen=True)
class Destination:
    """An import-file format of one tool.

    `marketing_channel` is the consent rule: "email" means the file feeds email marketing, so
    only `is_email_marketable` people may appear in it; "sms" likewise with
    `is_sms_marketable` and a phone; None (a CRM) means everyone in the segment with an email,
    with their consent carried as a column instead.
    `phone_columns` are E.164-validated by the formatter and therefore written without the
    formula-neutralising quote, which would make them unimportable.
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

    def __post_init__(self) -> None:
        if len(set(self.headers)) != len(self.headers):
            raise ValueError(f"destination {self.name}: duplicate headers {self.headers}")
        unknown = self.phone_columns - set(self.headers)
        if unknown:
            raise ValueError(f"destination {self.name}: phone_columns not in headers: {unknown}")
