"""Mailchimp "Import contacts" CSV for an audience (email marketing: consented people only).

Follows Mailchimp's help article "Format Guidelines for Your Import File"
(https://mailchimp.com/help/format-guidelines-for-your-import-file/): the Email Address
column is the only required one; the default audience fields are First Name, Last Name,
Address and Phone Number; an address goes in one cell with its parts separated by two spaces
and ending with the (ISO 2) country code; tags are comma-separated in one cell, a tag that
contains a comma wrapped in double quotes.
"""

from __future__ import annotations

import re
from collections import Counter

from exports.csv_safety import e164_or_blank, text
from exports.destinations.base import Destination
from exports.model import ADDRESS_COLUMNS, Profile, SegmentSpec

HEADERS: tuple[str, ...] = (
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "Tags",
)

_SPACES = re.compile(r"\s+")


def format_address(profile: Profile, notes: Counter[str]) -> str:
    """Mailchimp's one-cell address: street, [line 2], city, region, postal code, country.

    Two spaces separate the parts, so runs of whitespace inside a part are collapsed to one.
    An address without street, city or country is left blank (Mailchimp rejects partial
    addresses) and counted as `incomplete_address_blanked`.
    """
    parts = [_SPACES.sub(" ", text(profile.get(column))) for column in ADDRESS_COLUMNS]
    line1, _line2, city, _region, _postal, country = parts
    if not any(parts):
        return ""
    if not (line1 and city and country):
        notes["incomplete_address_blanked"] += 1
        return ""
    return "  ".join(part for part in parts if part)


def format_tags(tags: list[str]) -> str:
    """Comma-separated tags; a tag holding a comma is wrapped in double quotes."""
    return ",".join(f'"{tag}"' if "," in tag else tag for tag in tags)


def format_row(profile: Profile, segment: SegmentSpec, notes: Counter[str]) -> dict[str, str]:
    return {
        "Email Address": text(profile.get("email")),
        "First Name": text(profile.get("first_name")),
        "Last Name": text(profile.get("last_name")),
        "Address": format_address(profile, notes),
        "Phone Number": e164_or_blank(profile.get("phone"), notes),
        "Tags": format_tags([segment.name]),
    }


MAILCHIMP = Destination(
    name="mailchimp",
    title="Mailchimp audience import",
    file_name="audience_import.csv",
    headers=HEADERS,
    marketing_channel="email",
    channels=frozenset({"email"}),
    format_row=format_row,
    doc_title="Format Guidelines for Your Import File (Mailchimp Help)",
    doc_url="https://mailchimp.com/help/format-guidelines-for-your-import-file/",
    phone_columns=frozenset({"Phone Number"}),
)
