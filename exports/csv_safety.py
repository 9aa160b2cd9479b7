"""Cell-level safety for CSV files that people open in spreadsheets before importing them.

Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` (and tab / carriage return
can smuggle one in), so free text from customers (names, addresses) is neutralised with a
leading single quote (OWASP "CSV injection" advice). Structured columns are handled differently:
a phone number must stay importable, and E.164 starts with `+`, so phones are *validated*
instead of neutralised: a value matching strict E.164 (`+` then 2-15 digits, no letters or
punctuation) cannot carry a formula payload and is written as is; anything else is blanked.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")

# Conservative sanity check, not RFC 5322: one `@`, no whitespace, a dot in the domain, and a
# first character that a spreadsheet would not execute (so email cells never need a quote).
_EMAIL = re.compile(r"^[^\s@=+\-\t\r][^\s@]*@[^\s@]+\.[^\s@]+$")


def neutralise(value: str) -> str:
    """Prefixes `'` to a cell a spreadsheet would evaluate as a formula; returns others as is."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def text(value: Any) -> str:
    """Renders a profile value as a trimmed cell string ('' for NULL)."""
    if value is None:
        return ""
    return str(value).strip()


def is_valid_email(value: str) -> bool:
    """True when `value` looks like an importable address that needs no neutralising."""
    return bool(_EMAIL.match(value))


def e164_or_blank(value: Any, notes: Counter[str]) -> str:
    """Returns a strict E.164 phone unchanged, else '' (counted as `invalid_phone_blanked`).

    Blanking rather than quoting: a quoted phone would be rejected by the destination anyway,
    and an empty cell leaves the destination's existing value untouched.
    """
    phone = text(value)
    if not phone:
        return ""
    if E164.match(phone):
        return phone
    notes["invalid_phone_blanked"] += 1
    return ""
