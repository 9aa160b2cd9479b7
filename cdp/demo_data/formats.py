"""How each tool spells values: money, timestamps, phones, and the everyday mess people type.

Keeping every spelling here makes the per-tool modules read like the export formats in
docs/sources.md and keeps the mess (case, padding, phone styles) consistent across sources.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

PHONE_STYLES: tuple[str, ...] = ("paren", "dots", "intl_dash", "digits", "one_dash", "dash")
"""National spellings people type; `e164` is only what systems store."""


def phone_as(digits: str, style: str) -> str:
    """Spell a 10-digit US number the way a person or a system writes it."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    if style == "paren":
        return f"({a}) {b}-{c}"
    if style == "dots":
        return f"{a}.{b}.{c}"
    if style == "intl_dash":
        return f"+1 {a}-{b}-{c}"
    if style == "digits":
        return digits
    if style == "one_dash":
        return f"1-{a}-{b}-{c}"
    if style == "dash":
        return f"{a}-{b}-{c}"
    if style == "e164":
        return f"+1{digits}"
    raise ValueError(style)


def typed_phone(rng: random.Random, digits: str) -> str:
    """A phone as typed into a free-text field: any national style."""
    return phone_as(digits, rng.choice(PHONE_STYLES))


def messy_email(rng: random.Random, email: str, upper: float = 0.04, pad: float = 0.04) -> str:
    """An address as a person typed it: sometimes shouted, capitalised or space-padded."""
    r = rng.random()
    if r < upper:
        email = email.upper()
    elif r < upper * 1.5:
        local, _, domain = email.partition("@")
        email = f"{local[:1].upper()}{local[1:]}@{domain.capitalize()}"
    if rng.random() < pad:
        email = rng.choice((" ", "  ", "")) + email + rng.choice((" ", "  "))
    return email


def money(cents: int) -> str:
    """Shopify's decimal string: `199.00`."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def square_money(cents: int) -> str:
    """Square's currency spelling: `$1,234.50`, refunds `-$5.00`."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


@lru_cache(maxsize=16)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def shopify_ts(dt: datetime, tz: str) -> str:
    """ISO 8601 with the shop's offset: `2024-03-05T14:02:11-05:00`."""
    return dt.astimezone(zone(tz)).replace(microsecond=0).isoformat()


def mailchimp_csv_ts(dt: datetime) -> str:
    """Audience export times: `YYYY-MM-DD HH:MM:SS` in UTC."""
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def mailchimp_api_ts(dt: datetime) -> str:
    """Marketing API times: `2025-03-04T15:22:11+00:00`."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def pixel_ts(dt: datetime) -> str:
    """Web Pixel event time: UTC with milliseconds and `Z`."""
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def square_local(dt: datetime, tz: str) -> tuple[str, str]:
    """Square's `Date` (`YYYY-MM-DD`) and `Time` (`HH:MM:SS`) in the location's zone."""
    local = dt.astimezone(zone(tz))
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def us_date(dt: datetime, tz: str) -> str:
    """`MM/DD/YYYY`, as the Square customer directory writes first and last visits."""
    return dt.astimezone(zone(tz)).strftime("%m/%d/%Y")
