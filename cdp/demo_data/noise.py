"""Hard cases for identity resolution, applied only with `hard_cases=True`.

Each trap mirrors something real shops see: a mistyped second copy of an address, a new email
replacing an old one, households sharing a tablet or a home phone, namesakes, and (in
`square.py`) the counter phone typed into strangers' profiles. Signature people are left alone
so their story stays a clean, checkable chain.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from cdp.demo_data.catalog import TYPO_DOMAINS
from cdp.demo_data.config import NoiseConfig
from cdp.demo_data.people import EmailBook, Person, PhoneBook


def apply_hard_cases(
    people: list[Person],
    rng: random.Random,
    cfg: NoiseConfig,
    emails: EmailBook,
    phones: PhoneBook,
    start: datetime,
    as_of: datetime,
) -> None:
    pool = [p for p in people if not p.signature]
    n = len(people)
    _same_names(pool, rng, round(n * cfg.same_name_rate), emails)
    _households(pool, rng, cfg, round(n * cfg.family_rate), phones)
    _email_changes(pool, rng, round(n * cfg.email_change_rate), emails, start, as_of)
    _typos(pool, rng, round(n * cfg.typo_email_rate), emails)
    _counter_phone(pool, rng, cfg.counter_phone_rate)


def _same_names(pool: list[Person], rng: random.Random, count: int, emails: EmailBook) -> None:
    """Give `count` people the exact name of someone else (and a personal email to match)."""
    if count == 0 or len(pool) < 2:
        return
    chosen = rng.sample(pool, min(len(pool), 2 * count))
    for a, b in zip(chosen[0::2], chosen[1::2], strict=False):
        b.first, b.last = a.first, a.last
        emails.used.discard(b.email)
        b.email = emails.personal(rng, b.first, b.last)
        a.tags.add("same_name")
        b.tags.add("same_name")


def _households(
    pool: list[Person], rng: random.Random, cfg: NoiseConfig, members: int, phones: PhoneBook
) -> None:
    """Group people into households sharing a surname, an address, maybe a tablet or a phone."""
    free = [p for p in pool if p.household is None and "same_name" not in p.tags]
    rng.shuffle(free)
    household = 0
    while members >= 2 and len(free) >= 2:
        size = min(rng.choice((2, 2, 3)), len(free), members)
        group, free = free[:size], free[size:]
        members -= size
        head = group[0]
        household += 1
        share_device = rng.random() < cfg.family_shared_device_rate
        share_phone = rng.random() < cfg.family_shared_phone_rate
        if share_phone and head.phone is None:
            head.phone = phones.new(rng, head.city)
        for person in group:
            person.household = household
            person.tags.add("family")
            if person is not head:
                person.last = head.last
                person.city, person.address1 = head.city, head.address1
                person.address2, person.zip = head.address2, head.zip
                if person.store_shopper:
                    store = head.city.store
                    person.home_store = store if store is not None else (person.home_store or 0)
            if share_phone:
                person.phone = head.phone
                person.tags.add("shared_phone")
            if share_device:
                person.web_active = True
                person.tags.add("shared_device")
        if share_device:
            # The device itself is created by the web simulation; mark the group here.
            for person in group:
                person.plan["household_device"] = household


def _email_changes(
    pool: list[Person],
    rng: random.Random,
    count: int,
    emails: EmailBook,
    start: datetime,
    as_of: datetime,
) -> None:
    """Move `count` active people to a new personal address part-way through the history."""
    eligible = [p for p in pool if p.subscriber or p.has_account or p.guest_buyer]
    span = (as_of - start).total_seconds()
    for person in rng.sample(eligible, min(count, len(eligible))):
        person.old_email = person.email
        person.email = emails.personal(rng, person.first, person.last)
        person.email_change_at = start + timedelta(seconds=span * rng.uniform(0.3, 0.75))
        person.tags.add("email_change")


def _typos(pool: list[Person], rng: random.Random, count: int, emails: EmailBook) -> None:
    """Plant a mistyped copy of `count` people's address in one source they use."""
    eligible = [p for p in pool if p.subscriber or p.store_shopper or p.guest_buyer]
    for person in rng.sample(eligible, min(count, len(eligible))):
        sources = [
            s
            for s, ok in (
                ("mailchimp", person.subscriber),
                ("square", person.store_shopper),
                ("shopify", person.guest_buyer),
            )
            if ok
        ]
        for _ in range(20):
            typo = _mistype(rng, person.email)
            if typo != person.email and emails.claim(typo):
                person.typo_email = typo
                person.typo_source = rng.choice(sources)
                person.tags.add("typo_email")
                break


def _mistype(rng: random.Random, email: str) -> str:
    local, _, domain = email.partition("@")
    if domain in TYPO_DOMAINS and rng.random() < 0.5:
        return f"{local}@{TYPO_DOMAINS[domain]}"
    if len(local) < 3:
        return f"{local}{local[-1]}@{domain}"
    i = rng.randrange(len(local) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        local = local[:i] + local[i + 1] + local[i] + local[i + 2 :]
    elif kind == 1:
        local = local[:i] + local[i + 1 :]
    else:
        local = local[:i] + local[i] + local[i:]
    return f"{local}@{domain}"


def _counter_phone(pool: list[Person], rng: random.Random, rate: float) -> None:
    """SoHo staff type the counter's number for some shoppers who won't give theirs."""
    for person in pool:
        if person.store_shopper and person.home_store == 0 and rng.random() < rate:
            person.counter_phone = True
            person.tags.add("counter_phone")
