"""Normalise-then-SHA-256 rules of the ad platforms, one function per platform and field.

Ad platforms match audiences on hashes, so a value normalised differently from the platform's
own rule silently fails to match. The rules differ per platform and per field, so each one is
written out here after the platform's documentation (and tested with the examples those pages
publish):

* Google (Customer Match / Data Manager API, "Format user data",
  https://developers.google.com/data-manager/api/get-started/formatting): email lower-cased,
  all whitespace removed, and for gmail.com / googlemail.com the dots and any `+suffix` of the
  local part removed; phone E.164 *with* the `+`; names lower-cased and trimmed, without
  prefixes (Mrs.) or suffixes (Jr.); country (ISO alpha-2) and zip are not hashed.
* Meta (Marketing API "Hashing and normalizing data" and the Conversions API "Customer
  information parameters", https://developers.facebook.com/docs/marketing-api/conversions-api/
  parameters/customer-information-parameters): email trimmed and lower-cased (no gmail rule);
  phone digits only with the country code, *no* `+` and no leading zeros; first / last name
  lower-cased without punctuation (UTF-8 letters kept); city without spaces or punctuation;
  state the lower-case code; zip lower-case without spaces or dash, US 5 digits; country the
  lower-case ISO alpha-2 code. Every field is hashed.

Before a platform's rule, every email goes through the identity layer's hygiene
(`cdp.core.identifier_hygiene`: invisible characters, quotes, `mailto:`, angle brackets), so an
address the identity layer reads as `jane@x.com` is hashed as `jane@x.com` everywhere.

Hashes are lower-case hex SHA-256 of the UTF-8 bytes. An empty value stays empty (the hash of
an empty string would match nobody and wastes a row).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from cdp.core.identifier_hygiene import normalise_email
from exports.csv_safety import E164, text

_WHITESPACE = re.compile(r"\s+")
_GOOGLE_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_NAME_PREFIXES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
_US_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")


def sha256_hex(value: str) -> str:
    """Lower-case hex SHA-256 of `value`'s UTF-8 bytes; '' for ''."""
    if not value:
        return ""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --- Google --------------------------------------------------------------------------------


def google_email(value: object) -> str:
    """`Cloudy.SanFrancisco+shopping@gmail.com` -> `cloudysanfrancisco@gmail.com`."""
    email = normalise_email(text(value))
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return ""
    if domain in _GOOGLE_GMAIL_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{domain}" if local else ""


def google_phone(value: object) -> str:
    """E.164 with the plus sign (`+18005550100`); anything else is not a usable phone."""
    phone = text(value)
    return phone if E164.match(phone) else ""


def google_name(value: object, *, last: bool = False) -> str:
    """Lower-cased and trimmed, without a title before a first name or a suffix after a last."""
    words = _WHITESPACE.sub(" ", text(value)).lower().split(" ")
    drop = _NAME_SUFFIXES if last else _NAME_PREFIXES
    edge = -1 if last else 0
    if len(words) > 1 and words[edge].rstrip(".,") in drop:
        words.pop(edge)
    return " ".join(words).strip(" ,")


def google_country(value: object) -> str:
    code = text(value).upper()
    return code if re.fullmatch(r"[A-Z]{2}", code) else ""


def google_zip(value: object, country: str) -> str:
    """US: 5 digits or ZIP+4; elsewhere the postal code trimmed (no extensions are added)."""
    postal = _WHITESPACE.sub(" ", text(value)).upper()
    if country == "US":
        match = _US_ZIP.match(postal.replace(" ", ""))
        return match.group(0) if match else ""
    return postal


# --- Meta ----------------------------------------------------------------------------------


def meta_email(value: object) -> str:
    """`John_Smith@gmail.com` -> `john_smith@gmail.com` (trim + lower case only)."""
    email = normalise_email(text(value))
    return email if "@" in email else ""


def meta_phone(value: object) -> str:
    """Digits only, country code included, no leading zeros: `+16505551212` -> `16505551212`.

    The profile phone is already E.164 (the country code follows the `+`), so the plus is all
    there is to drop; a phone that is not E.164 has no reliable country code and is left out.
    """
    phone = text(value)
    if not E164.match(phone):
        return ""
    return phone[1:].lstrip("0")


def _letters_and_digits(value: object) -> str:
    """Lower case, NFC, with every character that is not a letter or digit removed."""
    normalised = unicodedata.normalize("NFC", text(value)).lower()
    return "".join(ch for ch in normalised if ch.isalnum())


def meta_name(value: object) -> str:
    """`Valéry` -> `valéry`; punctuation and spaces removed (`O'Neil` -> `oneil`)."""
    return _letters_and_digits(value)


def meta_city(value: object) -> str:
    """`New York` -> `newyork`."""
    return _letters_and_digits(value)


def meta_state(value: object) -> str:
    """The state / province code lower-cased (`CA` -> `ca`)."""
    return _letters_and_digits(value)


def meta_zip(value: object, country: str) -> str:
    """US: the first 5 digits; UK: area, district and sector (`SW1A 1AA` -> `sw1a1`); else the
    code lower-cased without spaces or dashes."""
    postal = text(value).lower()
    if country == "us":
        digits = re.sub(r"\D", "", postal)
        return digits[:5] if len(digits) >= 5 else ""
    if country == "gb":
        parts = postal.split()
        if len(parts) == 2 and parts[1]:
            return parts[0] + parts[1][0]
    return re.sub(r"[\s\-]", "", postal)


def meta_country(value: object) -> str:
    code = text(value).lower()
    return code if re.fullmatch(r"[a-z]{2}", code) else ""
