"""Fuzzy people, applied only with `fuzzy=True`: one person in every tool they use, whose records
only name, address and birthday can link (the probabilistic-matching stage's cases).

Real shoppers give the till a work or old address or none, the cashier mistypes their phone,
they subscribe to the newsletter with yet another address, and each form gets their name the way
they typed it that day: a nickname, one letter wrong, other capitals. Their Shopify account and
orders stay as they are: that is the record the others must be matched to. The street address
and postcode stay the person's own (sometimes written another way), and the birthday is the same
day in every tool that has one. All of it is drawn here, from the run's own `fuzzy` RNG stream,
so a run without `fuzzy` is byte-identical to one before this module existed.
"""

from __future__ import annotations

import random

from cdp.demo_data.catalog import NICKNAMES, STREET_SUFFIX_ABBREVIATIONS
from cdp.demo_data.config import FuzzyConfig
from cdp.demo_data.formats import typed_phone
from cdp.demo_data.people import EmailBook, FuzzyLook, Person, PhoneBook

EXCLUDED_TAGS = frozenset({"counter_phone", "typo_email", "email_change", "two_emails"})
"""Hard cases that already give the person a second address or a stranger's phone: a fuzzy look
on top would blur which trap a miss belongs to. Families and namesakes stay eligible."""

SQUARE_BIRTHDAY_FORMATS = ("{m}-{d}", "{y}-{m}-{d}", "{m}-{d}-{y}")
"""The Birthday formats of Square's customer import (help article 6632, "Import customers
online": MM-DD, YYYY-MM-DD and MM-DD-YYYY)."""

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    key: row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    for row in _KEYBOARD_ROWS
    for i, key in enumerate(row)
}


def apply_fuzzy(
    people: list[Person],
    rng: random.Random,
    cfg: FuzzyConfig,
    emails: EmailBook,
    phones: PhoneBook,
) -> None:
    """Give `cfg.share` of all people a fuzzy look (fewer when not enough use two tools)."""
    pool = [p for p in people if _eligible(p)]
    count = min(len(pool), round(len(people) * cfg.share))
    households: dict[int, list[Person]] = {}
    for p in people:
        if p.household is not None:
            households.setdefault(p.household, []).append(p)
    for person in sorted(rng.sample(pool, count), key=lambda p: p.idx):
        family = households.get(person.household, []) if person.household is not None else []
        relatives = [r for r in family if r is not person]
        _disguise(person, rng, cfg, emails, phones, relatives)


def _eligible(p: Person) -> bool:
    """Someone whose records in two or more tools could be linked at all (signature people keep
    their scripted, exactly linkable story)."""
    if p.signature or p.tags & EXCLUDED_TAGS:
        return False
    tools = p.store_shopper + (p.has_account or p.guest_buyer) + p.subscriber
    return tools >= 2


def _disguise(
    person: Person,
    rng: random.Random,
    cfg: FuzzyConfig,
    emails: EmailBook,
    phones: PhoneBook,
    relatives: list[Person],
) -> None:
    taken = {r.birthday for r in relatives}
    if person.birthday is None or person.birthday in taken:
        # Mailchimp and Square both get the birthday; a twin's would make a relative's
        # records as good a match as the person's own.
        while person.birthday is None or person.birthday in taken:
            person.birthday = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
    month, day = person.birthday.split("/")
    year = rng.randint(1950, 2005)  # Mailchimp's birthday has none; Square's may show it
    square_birthday = rng.choice(SQUARE_BIRTHDAY_FORMATS).format(m=month, d=day, y=year)
    if rng.random() < cfg.till_without_email:
        square_email = ""
    elif rng.random() < 0.5:
        square_email = emails.work(rng, person.first, person.last)
    else:
        square_email = emails.personal(rng, person.first, person.last)
    square_phone = _mistyped_phone(rng, cfg, person.phone, phones) if person.phone else ""
    names = [r.first for r in relatives]
    person.fuzzy = FuzzyLook(
        square_email=square_email,
        square_phone=square_phone,
        square_name=typed_name(rng, cfg, person.first, person.last, names),
        square_address=_typed_address(rng, cfg, person.address1, person.address2),
        square_birthday=square_birthday,
        mailchimp_email=emails.personal(rng, person.first, person.last),
        mailchimp_name=typed_name(rng, cfg, person.first, person.last, names),
        mailchimp_address=_typed_address(rng, cfg, person.address1, person.address2),
    )
    person.tags.add("fuzzy")


def _mistyped_phone(rng: random.Random, cfg: FuzzyConfig, digits: str, phones: PhoneBook) -> str:
    """The phone with one digit changed or dropped (the area code typed right), spelled in any
    national style; never anyone's real number. "" in the unlikely case none is free."""
    for _ in range(20):
        i = rng.randrange(3, len(digits))
        if rng.random() < cfg.phone_digit_dropped:
            typo = digits[:i] + digits[i + 1 :]
        else:
            typo = digits[:i] + rng.choice([d for d in "0123456789" if d != digits[i]])
            typo += digits[i + 1 :]
        if phones.claim(typo):
            return typed_phone(rng, typo)
    return ""


def typed_name(
    rng: random.Random, cfg: FuzzyConfig, first: str, last: str, relatives: list[str]
) -> tuple[str, str]:
    """First and last name as the person typed them on one form. The first name stays their own,
    a nickname of it or a typo of it, and never one a relative's name could be."""
    nicknames = NICKNAMES.get(first, ())
    nickname_rate = cfg.nickname_rate if nicknames else 0.0
    r = rng.random()
    typed_first = first
    if r < nickname_rate:
        typed_first = rng.choice(nicknames)
    elif r < nickname_rate + cfg.first_name_typo_rate:
        typed_first = _mistyped_name(rng, first)
    if typed_first != first and any(_could_be(typed_first, name) for name in relatives):
        typed_first = first
    typed_last = _mistyped_name(rng, last) if rng.random() < cfg.last_name_typo_rate else last
    r = rng.random()
    if r < 0.1:
        typed_first, typed_last = typed_first.lower(), typed_last.lower()
    elif r < 0.16:
        typed_first, typed_last = typed_first.upper(), typed_last.upper()
    if rng.random() < 0.08:
        typed_first += " "
    return typed_first, typed_last


def _mistyped_name(rng: random.Random, name: str) -> str:
    """One letter after the first hit wrong (a keyboard neighbour), dropped or doubled."""
    if len(name) < 3:
        return name
    i = rng.randrange(1, len(name))
    kind = rng.randrange(3)
    letter = name[i]
    if kind == 0 and _NEIGHBOURS.get(letter.lower()):
        wrong = rng.choice(_NEIGHBOURS[letter.lower()])
        return name[:i] + (wrong.upper() if letter.isupper() else wrong) + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    return name[:i] + letter + name[i:]


def _could_be(typed: str, name: str) -> bool:
    """Whether a typed first name could as well be `name` (same, its nickname, one edit off)."""
    a, b = typed.strip().lower(), name.lower()
    nicknames = {n.lower() for n in NICKNAMES.get(name, ())}
    return a in nicknames or _within_one_edit(a, b)


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _typed_address(rng: random.Random, cfg: FuzzyConfig, line1: str, line2: str) -> tuple[str, str]:
    """The home address as written on one form: the same, or the suffix abbreviated (USPS
    Publication 28), the unit left out or put on line 1, or in capitals. House number, street
    name and postcode never change."""
    if rng.random() >= cfg.address_variation_rate:
        return line1, line2
    ways = ["capitals"]
    head, _, suffix = line1.rpartition(" ")
    short = STREET_SUFFIX_ABBREVIATIONS.get(suffix)
    if short:
        ways += ["suffix"] * 3
    if line2:
        ways += ["no_unit", "no_unit", "unit_on_line_1", "unit_on_line_1"]
    way = rng.choice(ways)
    if way == "suffix":
        return f"{head} {short}{rng.choice(('', '.'))}", line2
    if way == "no_unit":
        return line1, ""
    if way == "unit_on_line_1":
        return f"{line1}{rng.choice((' ', ', '))}{line2.replace('.', '')}", ""
    return line1.upper(), line2.upper()
