"""Meta (Facebook / Instagram) custom audience customer list, hashed (ads: consented only).

Follows Meta's customer-list format: one column per identifier, headed by Meta's identifier
keys `email`, `phone`, `fn`, `ln`, `ct`, `st`, `zip`, `country` (the keys of the Marketing API
custom audience schema, https://developers.facebook.com/docs/marketing-api/audiences/guides/
custom-audiences, which the Ads Manager customer-list upload maps automatically), every value
normalised as Meta documents ("Hashing and normalizing data", see `exports.hashing`) and then
SHA-256 hashed, so no plain-text value leaves the warehouse.
"""

from __future__ import annotations

from collections import Counter

from exports.destinations.base import Destination
from exports.destinations.cells import ads_phone
from exports.hashing import (
    meta_city,
    meta_country,
    meta_email,
    meta_name,
    meta_phone,
    meta_state,
    meta_zip,
    sha256_hex,
)
from exports.model import Profile, SegmentSpec

HEADERS: tuple[str, ...] = ("email", "phone", "fn", "ln", "ct", "st", "zip", "country")


def format_row(profile: Profile, segment: SegmentSpec, notes: Counter[str]) -> dict[str, str]:
    """Every identifier hashed; the phone only with SMS-marketing consent (`cells.ads_phone`)."""
    phone = ads_phone(profile, meta_phone, notes)
    country = meta_country(profile.get("country_code"))
    return {
        "email": sha256_hex(meta_email(profile.get("email"))),
        "phone": sha256_hex(phone),
        "fn": sha256_hex(meta_name(profile.get("first_name"))),
        "ln": sha256_hex(meta_name(profile.get("last_name"))),
        "ct": sha256_hex(meta_city(profile.get("city"))),
        "st": sha256_hex(meta_state(profile.get("region"))),
        "zip": sha256_hex(meta_zip(profile.get("postal_code"), country)),
        "country": sha256_hex(country),
    }


META_CUSTOM_AUDIENCE = Destination(
    name="meta_custom_audience",
    title="Meta custom audience customer list (hashed)",
    file_name="custom_audience.csv",
    headers=HEADERS,
    marketing_channel="ads",
    format_row=format_row,
    doc_title="Customer Information Parameters, hashing and normalizing (Meta for Developers)",
    doc_url=(
        "https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/"
        "customer-information-parameters"
    ),
    channels=frozenset({"ads", "email"}),
    replaces_changed_rows=True,
)
