"""A raw phone string as E.164, parsed with `phonenumbers`: the one definition ingestion's
lookup (ingestion/phone_lookup.py), erasure and the CLI share.

The key is the raw text after identifier hygiene (`cdp.core.identifier_hygiene`: invisible
characters, quotes, a spreadsheet's apostrophe and `tel:` removed), the same key the dbt macro
`phone_lookup_key` computes, so `\t'+1 415 555 2671` and `+1 415 555 2671` share one entry.
"""

from __future__ import annotations

import phonenumbers

from cdp.core.identifier_hygiene import phone_lookup_key


def to_e164(raw: str, default_region: str) -> tuple[str | None, bool]:
    """(E.164, is_valid) for a raw phone string; (None, False) when it is not a phone number."""
    return key_to_e164(phone_lookup_key(raw), default_region)


def key_to_e164(key: str | None, default_region: str) -> tuple[str | None, bool]:
    """`to_e164` of a text already cleaned by identifier hygiene (`phone_lookup_keys`, which
    cleans a whole column at once: per value, Arrow's call overhead costs more than parsing)."""
    if not key:
        return None, False
    try:
        number = phonenumbers.parse(key, default_region)
    except phonenumbers.NumberParseException:
        return None, False
    if not phonenumbers.is_possible_number(number):
        return None, False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.is_valid_number(number)
