"""The true people behind the exports: who they are, how to reach them, which tools they touch.

Every landing-file record is generated from one of these people, which is what lets the ground
truth say, for each record and identifier, whose it is.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate

import phonenumbers

from cdp.demo_data.catalog import CITIES, PERSONAL_DOMAINS, WORK_DOMAINS, City
from cdp.demo_data.config import BehaviourRates
from cdp.demo_data.fake import Faker


@dataclass(slots=True, eq=False)
class Device:
    """One browser on one device; its clientId is the pixel's anonymous id."""

    client_id: str
    kind: str
    user_agent: str
    screen: tuple[int, int]
    shared: bool = False


@dataclass(frozen=True, slots=True)
class FuzzyLook:
    """How a fuzzy person (`fuzzy=True`, see `fuzzy.py`) shows up in Square and Mailchimp:
    contacts that share nothing with the Shopify account, names and addresses as typed."""

    square_email: str
    """A work or old address given at the till, or "" (none)."""
    square_phone: str
    """The phone as the cashier typed it, one digit changed or dropped, or "" (none)."""
    square_name: tuple[str, str]
    square_address: tuple[str, str]
    """(Street Address 1, Street Address 2) as typed."""
    square_birthday: str
    """In one of the Birthday formats of Square's customer import (MM-DD, YYYY-MM-DD,
    MM-DD-YYYY)."""
    mailchimp_email: str
    mailchimp_name: tuple[str, str]
    mailchimp_address: tuple[str, str]


@dataclass(slots=True, eq=False)
class Person:
    idx: int
    pid: str
    first: str
    last: str
    city: City
    address1: str
    address2: str
    zip: str
    phone: str | None
    """10 national digits; shared by a household when the family shares a phone."""
    email: str
    """Current personal address, normalised (lower-case)."""
    work_email: str | None = None
    old_email: str | None = None
    email_change_at: datetime | None = None
    typo_email: str | None = None
    typo_source: str | None = None
    birthday: str | None = None
    """`MM/DD`, as Mailchimp's Birthday merge field holds it."""
    has_account: bool = False
    subscriber: bool = False
    store_shopper: bool = False
    guest_buyer: bool = False
    web_active: bool = False
    engagement: float = 0.3
    signature: bool = False
    counter_phone: bool = False
    household: int | None = None
    shared_device: Device | None = None
    tags: set[str] = field(default_factory=set)
    devices: list[Device] = field(default_factory=list)
    clicks: list[tuple[datetime, str]] = field(default_factory=list)
    """Mailchimp link clicks (time, URL) the web simulation turns into storefront visits."""
    customer_id: int | None = None
    account_created: datetime | None = None
    account_email: str | None = None
    purchase_times: list[datetime] = field(default_factory=list)
    home_store: int | None = None
    plan: dict[str, object] = field(default_factory=dict)
    """Scripted moments of the signature story (see `stories.py`)."""
    fuzzy: FuzzyLook | None = None
    """Set for fuzzy people only (`fuzzy=True`)."""

    def email_at(self, when: datetime) -> str:
        """The personal address in use at `when` (people who switch keep the old one before)."""
        if self.old_email and self.email_change_at and when < self.email_change_at:
            return self.old_email
        return self.email

    def real_emails(self) -> list[str]:
        emails = [self.email]
        if self.old_email:
            emails.insert(0, self.old_email)
        if self.work_email:
            emails.append(self.work_email)
        if self.fuzzy is not None:
            emails += [e for e in (self.fuzzy.square_email, self.fuzzy.mailchimp_email) if e]
        return emails


class EmailBook:
    """Hands out addresses nobody else uses, so only hard cases make people share one."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, email: str) -> bool:
        if email in self.used:
            return False
        self.used.add(email)
        return True

    def personal(self, rng: random.Random, first: str, last: str) -> str:
        fn, ln = _ascii(first), _ascii(last)
        domains = [d for d, _ in PERSONAL_DOMAINS]
        weights = list(accumulate(w for _, w in PERSONAL_DOMAINS))
        for attempt in range(50):
            pattern = rng.randrange(8)
            nn = rng.randint(1, 99)
            yy = rng.choice((rng.randint(60, 99), rng.randint(0, 6)))
            local = (
                f"{fn}.{ln}",
                f"{fn}{ln}",
                f"{fn[0]}{ln}",
                f"{fn}_{ln}",
                f"{fn}.{ln}{nn}",
                f"{fn}{nn}",
                f"{ln}.{fn}",
                f"{fn}{ln}{yy:02d}",
            )[pattern]
            if attempt > 5:
                local = f"{local}{rng.randint(100, 9999)}"
            email = f"{local}@{rng.choices(domains, cum_weights=weights)[0]}"
            if self.claim(email):
                return email
        raise RuntimeError("could not find a free email address")

    def work(self, rng: random.Random, first: str, last: str) -> str:
        fn, ln = _ascii(first), _ascii(last)
        for attempt in range(50):
            local = rng.choice((f"{fn}.{ln}", f"{fn[0]}{ln}", f"{fn}"))
            if attempt > 3:
                local = f"{local}{attempt}"
            email = f"{local}@{rng.choice(WORK_DOMAINS)}"
            if self.claim(email):
                return email
        raise RuntimeError("could not find a free work address")


def _ascii(name: str) -> str:
    cleaned = re.sub(r"[^a-z]", "", name.lower())
    return cleaned or "user"


class NameSampler:
    """US-frequency-weighted first names, surnames and street parts from Faker's en_US lists.

    Sampling the lists with the seeded RNG is ~30x faster than calling Faker per value, which
    matters at 100k people, and stays just as deterministic.
    """

    def __init__(self, fake: Faker) -> None:
        data: dict[str, object] = {}
        for provider in fake.get_providers():
            for name in ("first_names_female", "first_names_male", "last_names", "street_suffixes"):
                if name not in data and hasattr(provider, name):
                    data[name] = getattr(provider, name)
        self._female = self._weighted(data["first_names_female"])
        self._male = self._weighted(data["first_names_male"])
        self._last = self._weighted(data["last_names"])
        self._suffixes = tuple(data["street_suffixes"])  # type: ignore[arg-type]

    @staticmethod
    def _weighted(names: object) -> tuple[list[str], list[float]]:
        items = list(names.items()) if isinstance(names, dict) else [(n, 1.0) for n in names]  # type: ignore[attr-defined]
        return [n for n, _ in items], list(accumulate(w for _, w in items))

    @staticmethod
    def _pick(rng: random.Random, table: tuple[list[str], list[float]]) -> str:
        return rng.choices(table[0], cum_weights=table[1])[0]

    def first(self, rng: random.Random, female: bool) -> str:
        return self._pick(rng, self._female if female else self._male)

    def last(self, rng: random.Random) -> str:
        return self._pick(rng, self._last)

    def street(self, rng: random.Random) -> str:
        name = self._pick(rng, self._last) if rng.random() < 0.5 else self._pick(rng, self._female)
        number = rng.choice((rng.randint(100, 999), rng.randint(1000, 9999), rng.randint(10, 99)))
        return f"{number} {name} {rng.choice(self._suffixes)}"

    @staticmethod
    def secondary(rng: random.Random) -> str:
        return f"{rng.choice(('Apt.', 'Apt.', 'Suite', 'Unit'))} {rng.randint(1, 999)}"


class PhoneBook:
    """Valid, unique US numbers in the person's home area codes (never 555 fiction)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, digits: str) -> bool:
        if digits in self.used:
            return False
        self.used.add(digits)
        return True

    def new(self, rng: random.Random, city: City) -> str:
        while True:
            exchange = rng.randint(200, 999)
            if exchange == 555 or exchange % 100 == 11:
                continue
            digits = f"{rng.choice(city.area_codes)}{exchange}{rng.randint(0, 9999):04d}"
            if digits in self.used:
                continue
            if phonenumbers.is_valid_number(phonenumbers.parse(digits, "US")):
                self.used.add(digits)
                return digits


def build_people(
    n: int,
    rng: random.Random,
    fake: Faker,
    rates: BehaviourRates,
    emails: EmailBook,
    phones: PhoneBook,
    unique_names: bool,
) -> list[Person]:
    """Draw `n` people with names, contacts, a home city and the tools they use."""
    city_weights = list(accumulate(c.weight for c in CITIES))
    names = NameSampler(fake)
    names_seen: set[tuple[str, str]] = set()
    people: list[Person] = []
    for i in range(n):
        for _ in range(60):
            first = names.first(rng, female=rng.random() < 0.52)
            last = names.last(rng)
            if not unique_names or (first, last) not in names_seen:
                break
        names_seen.add((first, last))
        city = rng.choices(CITIES, cum_weights=city_weights)[0]
        address1 = names.street(rng)
        address2 = names.secondary(rng) if rng.random() < 0.18 else ""
        zip_code = f"{rng.choice(city.zip_prefixes)}{rng.randint(1, 99):02d}"
        phone = phones.new(rng, city) if rng.random() < rates.phone_rate else None
        person = Person(
            idx=i,
            pid=f"P{i + 1:06d}",
            first=first,
            last=last,
            city=city,
            address1=address1,
            address2=address2,
            zip=zip_code,
            phone=phone,
            email=emails.personal(rng, first, last),
        )
        if rng.random() < 0.35:
            person.birthday = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
        _assign_roles(person, rng, rates, emails)
        people.append(person)
    return people


def _assign_roles(
    person: Person, rng: random.Random, rates: BehaviourRates, emails: EmailBook
) -> None:
    person.has_account = rng.random() < rates.account_rate
    subscribe_rate = (
        rates.subscribe_rate_account if person.has_account else rates.subscribe_rate_other
    )
    person.subscriber = rng.random() < subscribe_rate
    local = person.city.store is not None
    person.store_shopper = rng.random() < (
        rates.store_rate_local if local else rates.store_rate_remote
    )
    person.guest_buyer = not person.has_account and rng.random() < rates.guest_buyer_rate
    browse_only = rng.random() < rates.browse_only_rate
    person.web_active = person.has_account or person.guest_buyer or browse_only
    if not (person.subscriber or person.store_shopper or person.web_active):
        person.subscriber = True
    person.engagement = min(0.85, rng.betavariate(2.0, 4.5))
    if person.has_account and person.subscriber and rng.random() < rates.two_email_rate:
        person.work_email = emails.work(rng, person.first, person.last)
        person.tags.add("two_emails")
        # How the two addresses meet: the member row carries the same phone, or some orders of
        # the (work-email) Shopify customer use the personal address.
        link = "phone" if person.phone and rng.random() < 0.5 else "orders"
        person.plan["two_email_link"] = link
    if person.store_shopper:
        person.home_store = person.city.store if local else rng.randrange(3)
