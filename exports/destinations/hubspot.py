"""HubSpot contacts import CSV (a CRM: everyone in the segment with an email).

Follows HubSpot's knowledge-base article "Set up import files"
(https://knowledge.hubspot.com/import-and-export/set-up-your-import-file): a header row whose
column headers match contact properties (here the default property labels, so the import tool
maps them automatically), UTF-8, and Email as the contacts' unique identifier (deduplication
key). Lifecycle Stage gets the property's internal values (subscriber, lead,
marketingqualifiedlead, salesqualifiedlead, opportunity, customer, evangelist, other), the
stages listed in HubSpot's "Use lifecycle stages" article.

Email-marketing consent is not a HubSpot default property, so it travels in the custom column
"CDP Email Marketable" (a single checkbox: true/false), next to "CDP Person ID" for the way
back. Create both custom contact properties in HubSpot (or skip the columns when mapping).
"""

from __future__ import annotations

from collections import Counter

from exports.csv_safety import e164_or_blank, text
from exports.destinations.base import Destination
from exports.destinations.cells import may_email, street_address
from exports.model import Profile, SegmentSpec

HEADERS: tuple[str, ...] = (
    "Email",
    "First Name",
    "Last Name",
    "Phone Number",
    "Street Address",
    "City",
    "State/Region",
    "Postal Code",
    "Country/Region",
    "Lifecycle Stage",
    "CDP Person ID",
    "CDP Email Marketable",
)

# CDP lifecycle_stage (lower-cased) -> HubSpot lifecyclestage internal value. Anyone who has
# bought is a HubSpot "customer" ("a contact with at least one closed deal"), whether new,
# repeat, at risk or lapsed; HubSpot has no churn stage, and a CRM should still know them.
LIFECYCLE_STAGES: dict[str, str] = {
    # The CDP's stages (profiles.lifecycle_stage, thresholds in dbt_project.yml).
    "subscriber": "subscriber",
    "lead": "lead",
    "first_time_customer": "customer",
    "repeat_customer": "customer",
    "vip": "customer",
    "at_risk": "customer",
    "churned": "customer",
}


def lifecycle_stage(value: object, notes: Counter[str]) -> str:
    """Maps a CDP stage to HubSpot's internal value; unknown ones are blanked and counted.

    Blank, not guessed: HubSpot does not overwrite a property with an empty cell, so an
    unmapped stage leaves the contact's current stage alone; the manifest's warnings show
    which CDP values need adding to LIFECYCLE_STAGES.
    """
    stage = text(value).lower()
    if not stage:
        return ""
    mapped = LIFECYCLE_STAGES.get(stage)
    if mapped is None:
        notes[f"unmapped_lifecycle_stage:{stage}"] += 1
        return ""
    return mapped


def format_row(profile: Profile, segment: SegmentSpec, notes: Counter[str]) -> dict[str, str]:
    return {
        "Email": text(profile.get("email")),
        "First Name": text(profile.get("first_name")),
        "Last Name": text(profile.get("last_name")),
        "Phone Number": e164_or_blank(profile.get("phone"), notes),
        "Street Address": street_address(profile),
        "City": text(profile.get("city")),
        "State/Region": text(profile.get("region")),
        "Postal Code": text(profile.get("postal_code")),
        "Country/Region": text(profile.get("country_code")),
        "Lifecycle Stage": lifecycle_stage(profile.get("lifecycle_stage"), notes),
        "CDP Person ID": text(profile.get("person_id")),
        "CDP Email Marketable": "true" if may_email(profile) else "false",
    }


HUBSPOT = Destination(
    name="hubspot",
    title="HubSpot contacts import",
    file_name="contacts_import.csv",
    headers=HEADERS,
    marketing_channel=None,
    format_row=format_row,
    doc_title="Set up import files (HubSpot Knowledge Base)",
    doc_url="https://knowledge.hubspot.com/import-and-export/set-up-your-import-file",
    phone_columns=frozenset({"Phone Number"}),
)
