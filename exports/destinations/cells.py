"""Cells that more than one destination builds from a profile the same way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from exports.csv_safety import text
from exports.model import Profile


def street_address(profile: Profile) -> str:
    """CRM contacts (HubSpot, Salesforce) have one street field: line 2 follows line 1."""
    lines = [text(profile.get("address_line_1")), text(profile.get("address_line_2"))]
    return ", ".join(line for line in lines if line)


def may_email(profile: Profile) -> bool:
    """Marketing email is allowed (unknown consent = not allowed) and not suppressed."""
    return profile.get("is_email_marketable") is True and not profile.get("is_suppressed")


def ads_phone(profile: Profile, normalise: Callable[[object], str], notes: Counter[str]) -> str:
    """The phone for an ad audience, normalised the platform's way, or "".

    Only with SMS-marketing consent: the phone is the person's to give for marketing, and an
    ads audience is marketing. A phone left out is counted as `phone_not_used`.
    """
    phone = normalise(profile.get("phone")) if profile.get("is_sms_marketable") is True else ""
    if profile.get("phone") and not phone:
        notes["phone_not_used"] += 1
    return phone
