"""Google Ads Customer Match customer-list file, hashed (ads audience: consented people only).

Follows Google Ads Help "Format your customer data file" / "Formatting guidelines for uploading
hashed data" (https://support.google.com/google-ads/answer/7476159): a UTF-8 CSV whose headers
are exactly `Email`, `Phone`, `First Name`, `Last Name`, `Country`, `Zip`; email, phone and names
SHA-256 hashed after normalisation, Country and Zip in plain text (mailing-address matching needs
all four of First Name, Last Name, Country and Zip). The normalisation is Google's current one,
from the Data Manager API page "Format user data" (see `exports.hashing`).
"""

from __future__ import annotations

from collections import Counter

from exports.destinations.base import Destination
from exports.destinations.cells import ads_phone
from exports.hashing import (
    google_country,
    google_email,
    google_name,
    google_phone,
    google_zip,
    sha256_hex,
)
from exports.model import Profile, SegmentSpec

HEADERS: tuple[str, ...] = ("Email", "Phone", "First Name", "Last Name", "Country", "Zip")


def format_row(profile: Profile, segment: SegmentSpec, notes: Counter[str]) -> dict[str, str]:
    """Hashed identifiers; the address group is sent whole or not at all, the phone only with
    SMS-marketing consent (`cells.ads_phone`)."""
    phone = ads_phone(profile, google_phone, notes)
    country = google_country(profile.get("country_code"))
    first = google_name(profile.get("first_name"))
    last = google_name(profile.get("last_name"), last=True)
    postal = google_zip(profile.get("postal_code"), country)
    if not (first and last and country and postal):
        if first or last or country or postal:
            notes["incomplete_address_match_blanked"] += 1
        first = last = country = postal = ""
    return {
        "Email": sha256_hex(google_email(profile.get("email"))),
        "Phone": sha256_hex(phone),
        "First Name": sha256_hex(first),
        "Last Name": sha256_hex(last),
        "Country": country,
        "Zip": postal,
    }


GOOGLE_CUSTOMER_MATCH = Destination(
    name="google_customer_match",
    title="Google Ads Customer Match list (hashed)",
    file_name="customer_match.csv",
    headers=HEADERS,
    marketing_channel="ads",
    format_row=format_row,
    doc_title="Formatting guidelines for uploading hashed data (Google Ads Help)",
    doc_url="https://support.google.com/google-ads/answer/7476159",
    channels=frozenset({"ads", "email"}),
    replaces_changed_rows=True,
)
