"""Who may appear in a destination's file, and why the others were refused.

The rule is the destination's (see `Destination.marketing_channel`), never the caller's: an
email-marketing file only ever holds people whose `is_email_marketable` is exactly TRUE
(NULL = unknown = no), and only when no other profile sharing that address lacks consent.
Every refused person is counted under one reason so the manifest shows
how far the file is from the segment, and why.
"""

from __future__ import annotations

from exports.csv_safety import E164, is_valid_email, text
from exports.destinations.base import Destination, Profile

NOT_IN_PROFILES = "not_in_profiles"
MISSING_EMAIL = "missing_email"
INVALID_EMAIL = "invalid_email"
NO_EMAIL_CONSENT = "no_email_consent"
EMAIL_CONSENT_CONFLICT = "email_consent_conflict"
MISSING_PHONE = "missing_phone"
NO_SMS_CONSENT = "no_sms_consent"
DUPLICATE_EMAIL = "duplicate_email"
MISSING_PERSON_ID = "missing_person_id"


def refusal_reason(profile: Profile, destination: Destination) -> str | None:
    """The first reason `profile` must not be exported to `destination`, or None if allowed.

    Every destination needs an email: Mailchimp's only required column, HubSpot's contact
    identifier (a CRM row without one would create an unmatchable duplicate).
    """
    if not profile.get("in_profiles"):
        return NOT_IN_PROFILES
    email = text(profile.get("email"))
    if not email:
        return MISSING_EMAIL
    if not is_valid_email(email):
        return INVALID_EMAIL
    if destination.marketing_channel == "email":
        if profile.get("is_email_marketable") is not True:
            return NO_EMAIL_CONSENT
        # Another profile (not merged by identity resolution) has this address without
        # consent: the address's owner may have said no, so the address is not mailed.
        if profile.get("email_all_profiles_consented") is not True:
            return EMAIL_CONSENT_CONFLICT
    if destination.marketing_channel == "sms":
        if not E164.match(text(profile.get("phone"))):
            return MISSING_PHONE
        if profile.get("is_sms_marketable") is not True:
            return NO_SMS_CONSENT
    return None


def is_allowed(profile: Profile, destination: Destination) -> bool:
    return refusal_reason(profile, destination) is None
