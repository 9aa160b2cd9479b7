"""What one erasure did: the person, their identifiers, and the rows deleted table by table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ForgetReport:
    identifier_type: str
    identifier_value: str
    person_ids: list[str] = field(default_factory=list)
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    deleted: Counter[str] = field(default_factory=Counter)
    tombstones: int = 0
