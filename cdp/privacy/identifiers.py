"""What an identifier is, in one place: a user's input read as one, the `<type>:<value>` key,
the tombstone hash, and the SQL that normalises a raw column of a given identifier type.

Normalisation is never written here: the SQL calls the functions `cdp.core.identifier_hygiene`
registers on the connection, the Python twin of the dbt macros (both checked against the same
case table), so erasure matches raw values exactly as the identity layer reads them.
"""

from __future__ import annotations

import hashlib

import phonenumbers

from cdp.core.errors import CdpError
from cdp.core.identifier_hygiene import (
    SQL_EMAIL,
    SQL_PHONE_KEY,
    SQL_SOURCE_ID,
    SQL_TRIMMED_ID,
    normalise_email,
    phone_lookup_key,
)

# The tombstone type under which erased orders' ids are kept (never an identifier of a person:
# it only carries the erasure to the order's children).
ORDER_ID = "shopify_order_id"

# Identifier type -> the registered SQL function giving a raw value's normalised form. Phones
# give their lookup key (matched against `raw.phone_numbers`); unlisted types are trimmed.
_SQL_NORMALISERS = {
    "email": SQL_EMAIL,
    "phone": SQL_PHONE_KEY,
    "shopify_customer_id": SQL_SOURCE_ID,
    "square_customer_id": SQL_SOURCE_ID,
    ORDER_ID: SQL_SOURCE_ID,
}


def normalised_sql(identifier_type: str, column: str) -> str:
    """SQL normalising a raw column of `identifier_type` like the identity layer. Needs
    `cdp.core.identifier_hygiene.register_sql_functions` on the connection."""
    return f'{_SQL_NORMALISERS.get(identifier_type, SQL_TRIMMED_ID)}("{column}")'


def identifier_key(identifier_type: str, identifier_value: str) -> str:
    """An identifier as one text, `<type>:<value>`: the dbt macro `identifier_key`
    (`node_key` of the identity models)."""
    return f"{identifier_type}:{identifier_value}"


def identifier_hash(value: str) -> str:
    """How a tombstone keeps an identifier: its SHA-256, never the value."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_input(value: str, default_region: str) -> tuple[str, str]:
    """A user's `<email|phone>` as (identifier_type, normalised value), like `cdp profile`."""
    if "@" in value:
        return "email", normalise_email(value)
    value = value.strip()
    try:
        number = phonenumbers.parse(phone_lookup_key(value), default_region)
    except phonenumbers.NumberParseException:
        raise CdpError(f"{value!r} is not an email address or a phone number.") from None
    return "phone", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
