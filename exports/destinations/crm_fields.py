"""Cells both CRM contact imports (HubSpot, Salesforce) build from a profile the same way."""

from __future__ import annotations

from exports.csv_safety import text
from exports.model import Profile


def street_address(profile: Profile) -> str:
    """CRM contacts have one street field, so line 2 follows line 1 after a comma."""
    lines = [text(profile.get("address_line_1")), text(profile.get("address_line_2"))]
    return ", ".join(line for line in lines if line)


def may_email(profile: Profile) -> bool:
    """Marketing email is allowed (unknown consent = not allowed) and not suppressed."""
    return profile.get("is_email_marketable") is True and not profile.get("is_suppressed")
