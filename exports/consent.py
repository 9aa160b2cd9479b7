"""Who may appear in a destination's file, and why the others were refused.

The rule is the destination's (see `Destination.marketing_channel`), never the caller's: an
email-marketing file only ever holds people whose `is_email_marketable` is exactly TRUE
(NULL = unknown = no), and only when no other profile sharing that address lacks consent. An
ad audience needs the same marketing consent, and a suppressed email or phone never reaches
any marketing file, whatever its consent. Every refused person is counted under one reason so
the manifest shows how far the file is from the segment, and why.
"""

from __future__ import annotations

from exports.csv_safety import E164, is_valid_email, text
from exports.destinations.base import Destination
from exports.model import Profile

NOT_IN_PROFILES = "not_in_profiles"
MISSING_EMAIL = "missing_email"
INVALID_EMAIL = "invalid_email"
NO_EMAIL_CONSENT = "no_email_consent"
EMAIL_CONSENT_CONFLICT = "email_consent_conflict"
MISSING_PHONE = "missing_phone"
NO_SMS_CONSENT = "no_sms_consent"
DUPLICATE_EMAIL = "duplicate_email"
MISSING_PERSON_ID = "missing_person_id"
SUPPRESSED = "suppressed"
NO_ADS_CONSENT = "no_ads_consent"


def refusal_reason(profile: Profile, destination: Destination) -> str | None:
    """The first reason `profile` must not be exported to `destination`, or None if allowed.

    Destinations keyed on email (every tool that matches or deduplicates contacts by address)
    need a valid one; data-team files do not. The suppression list beats consent on every
    marketing channel; ad audiences need marketing consent (`is_email_marketable`) too.
    """
    if not profile.get("in_profiles"):
        return NOT_IN_PROFILES
    if destination.requires_email:
        email = text(profile.get("email"))
        if not email:
            return MISSING_EMAIL
        if not is_valid_email(email):
            return INVALID_EMAIL
    for column in destination.required_fields:
        if not text(profile.get(column)):
            return f"missing_{column}"
    channel = destination.marketing_channel
    if channel and profile.get("is_suppressed"):
        return SUPPRESSED
    if channel in ("email", "ads"):
        if profile.get("is_email_marketable") is not True:
            return NO_EMAIL_CONSENT if channel == "email" else NO_ADS_CONSENT
        # Another profile (not merged by identity resolution) has this address without
        # consent: the address's owner may have said no, so the address is not used.
        if profile.get("email_all_profiles_consented") is not True:
            return EMAIL_CONSENT_CONFLICT
    if channel == "sms":
        if not E164.match(text(profile.get("phone"))):
            return MISSING_PHONE
        if profile.get("is_sms_marketable") is not True:
            return NO_SMS_CONSENT
    return None
