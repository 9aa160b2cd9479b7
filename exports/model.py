"""The two shapes every part of the exporter passes around: a segment and a profile row.

Kept apart from `exports.segments` (which reads segments from the manifest and checks them
against the destinations) so the destinations can name a segment without importing it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Segment channels (meta.segment.channel).
SEGMENT_CHANNELS: frozenset[str] = frozenset({"email", "sms", "crm", "ads"})

# One profile row from `marts.profiles` (column name -> value), as selected by the writer, plus
# `in_profiles`, `email_all_profiles_consented` and `is_suppressed`.
Profile = Mapping[str, Any]

# A profile's postal address, in the order a label writes it.
ADDRESS_COLUMNS: tuple[str, ...] = (
    "address_line_1",
    "address_line_2",
    "city",
    "region",
    "postal_code",
    "country_code",
)


@dataclass(frozen=True)
class SegmentSpec:
    """One exportable segment: which table holds its people and where they may be sent."""

    name: str
    model_name: str
    relation: str
    description: str
    channel: str
    destinations: tuple[str, ...]
    refresh: str
