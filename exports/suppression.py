"""The suppression list: emails and phones that no marketing export may contain, whatever the
consent flags say (a complaint, a legal hold, staff, a do-not-contact request).

The file (`CDP_SUPPRESSION_FILE`) is a CSV. A column headed `email` or `phone` (any case, also
`Email Address` / `Phone Number`) is read as such; a file without a known header is read as one
value per line, an `@` telling an email from a phone. Emails and phones are cleaned like the
identity layer (`cdp.core.identifier_hygiene`: invisible characters, quotes, `mailto:` / `tel:`,
angle brackets; emails lower-cased), phones then to E.164 with `phonenumbers` (the default region
applies to numbers written without a country code), so a match does not depend on how a value
was typed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from cdp.core import identifier_hygiene
from exports.csv_safety import text
from exports.errors import ExportError

_EMAIL_HEADERS = frozenset({"email", "email address", "email_address", "e-mail"})
_PHONE_HEADERS = frozenset({"phone", "phone number", "phone_number", "mobile"})


def normalise_email(value: object) -> str:
    return identifier_hygiene.normalise_email(value)


def normalise_phone(value: object, default_region: str) -> str:
    """E.164 form of a phone, or '' when it is not a possible phone number."""
    raw = identifier_hygiene.phone_lookup_key(value)
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Suppression:
    """Normalised suppressed emails and E.164 phones."""

    emails: frozenset[str] = field(default_factory=frozenset)
    phones: frozenset[str] = field(default_factory=frozenset)
    source: str = ""

    def __len__(self) -> int:
        return len(self.emails) + len(self.phones)

    def matches(self, email: object, phone: object) -> bool:
        """True when the (already normalised) email or E.164 phone is suppressed."""
        return normalise_email(email) in self.emails or text(phone) in self.phones


EMPTY = Suppression()


def load_suppression(path: Path | None, default_region: str = "US") -> Suppression:
    """Reads the suppression CSV; no path means no suppression. A missing file is an error:
    a configured list that silently does not apply would be worse than none."""
    if path is None:
        return EMPTY
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ExportError(
            f"CDP_SUPPRESSION_FILE points to {path}, which does not exist; create it (a CSV "
            "with an email and/or phone column) or unset the variable."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"Cannot read the suppression list {path}: {exc}") from None
    rows = list(csv.reader(content.splitlines()))
    emails: set[str] = set()
    phones: set[str] = set()
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    email_cols = [i for i, name in enumerate(header) if name in _EMAIL_HEADERS]
    phone_cols = [i for i, name in enumerate(header) if name in _PHONE_HEADERS]
    if email_cols or phone_cols:
        body = rows[1:]
    else:
        body, email_cols, phone_cols = rows, [], []
    for line_no, row in enumerate(body, start=2 if (email_cols or phone_cols) else 1):
        if email_cols or phone_cols:
            values = [(row[i], "email") for i in email_cols if i < len(row)]
            values += [(row[i], "phone") for i in phone_cols if i < len(row)]
        else:
            values = [(cell, "email" if "@" in cell else "phone") for cell in row]
        for value, kind in values:
            if not value.strip():
                continue
            if kind == "email":
                emails.add(normalise_email(value))
                continue
            phone = normalise_phone(value, default_region)
            if not phone:
                raise ExportError(
                    f"Suppression list {path}, line {line_no}: {value.strip()!r} is neither an "
                    "email address nor a phone number; fix or remove it."
                )
            phones.add(phone)
    return Suppression(frozenset(emails), frozenset(phones), str(path))
