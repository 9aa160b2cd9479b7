"""Salesforce contacts CSV for the Data Import Wizard or Data Loader (a CRM: everyone).

Column headers are the Contact object's API field names (FirstName, LastName, Email, Phone,
MailingStreet, MailingCity, MailingState, MailingPostalCode, MailingCountry,
HasOptedOutOfEmail), which Data Loader's "Auto-Match Fields to Columns" maps by name and the
Data Import Wizard maps automatically too (Salesforce Help "Field Mapping for Other Data
Sources and Organization Import", https://help.salesforce.com/s/articleView?id=xcloud.
field_mapping_for_other_data_sources_and_organization_import.htm). Salesforce refuses a contact
without LastName, so such rows are refused here (`missing_last_name`), and Email is the
duplicate-matching key the import wizard offers. `CDP_Person_ID__c` is a custom field (create
it as Text(64), External ID, to upsert with Data Loader).
"""

from __future__ import annotations

from collections import Counter

from exports.csv_safety import e164_or_blank, text
from exports.destinations.base import Destination
from exports.destinations.cells import may_email, street_address
from exports.model import Profile, SegmentSpec

HEADERS: tuple[str, ...] = (
    "FirstName",
    "LastName",
    "Email",
    "Phone",
    "MailingStreet",
    "MailingCity",
    "MailingState",
    "MailingPostalCode",
    "MailingCountry",
    "HasOptedOutOfEmail",
    "CDP_Person_ID__c",
)


def format_row(profile: Profile, segment: SegmentSpec, notes: Counter[str]) -> dict[str, str]:
    """HasOptedOutOfEmail is TRUE unless the person may be emailed (unknown = opted out)."""
    return {
        "FirstName": text(profile.get("first_name")),
        "LastName": text(profile.get("last_name")),
        "Email": text(profile.get("email")),
        "Phone": e164_or_blank(profile.get("phone"), notes),
        "MailingStreet": street_address(profile),
        "MailingCity": text(profile.get("city")),
        "MailingState": text(profile.get("region")),
        "MailingPostalCode": text(profile.get("postal_code")),
        "MailingCountry": text(profile.get("country_code")),
        "HasOptedOutOfEmail": "false" if may_email(profile) else "true",
        "CDP_Person_ID__c": text(profile.get("person_id")),
    }


SALESFORCE = Destination(
    name="salesforce",
    title="Salesforce contacts import (Data Import Wizard / Data Loader)",
    file_name="contacts.csv",
    headers=HEADERS,
    marketing_channel=None,
    format_row=format_row,
    doc_title="Field Mapping for Other Data Sources and Organization Import (Salesforce Help)",
    doc_url=(
        "https://help.salesforce.com/s/articleView?id=xcloud.field_mapping_for_other_data_"
        "sources_and_organization_import.htm&type=5"
    ),
    phone_columns=frozenset({"Phone"}),
    required_fields=("last_name",),
)
