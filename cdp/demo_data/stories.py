"""The signature story: one person seen as four strangers who must resolve to one.

On a phone they browse anonymously (clientId A), start a checkout typing email E and abandon
it; later they click a Mailchimp campaign link on a laptop (clientId B, `mc_eid` = their EUID,
the click also in email-activity); their Mailchimp member row carries E and phone P; finally
they buy in a store where the Square profile holds only P, spelled another way. Every link in
that chain is a real identifier, so a resolver that follows them all joins the four views.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from cdp.demo_data.people import Person, PhoneBook

MEMBER_PHONE_STYLE = "paren"
"""How the member typed P into the Mailchimp signup form: `(415) 555-2671`."""
SQUARE_PHONE_STYLES = ("intl_dash", "dots", "one_dash", "digits")
"""How the store clerk typed P: never the member's spelling."""


def choose_signature_people(
    people: list[Person], rng: random.Random, count: int, phones: PhoneBook
) -> list[Person]:
    """Turn `count` evenly spread people into signature people with a clean, scripted life."""
    n = len(people)
    count = max(1, min(count, n))
    step = n / count
    chosen = [people[min(n - 1, int(k * step + rng.random() * step))] for k in range(count)]
    for person in chosen:
        person.signature = True
        person.tags = {"signature"}
        person.subscriber = True
        person.has_account = False
        person.guest_buyer = False
        person.store_shopper = True
        person.web_active = True
        person.work_email = None
        person.engagement = max(person.engagement, 0.4)
        if person.phone is None:
            person.phone = phones.new(rng, person.city)
        person.home_store = person.city.store if person.city.store is not None else rng.randrange(3)
    return chosen


def plan_signature(
    person: Person,
    rng: random.Random,
    send_times: list[datetime],
    start: datetime,
    as_of: datetime,
) -> None:
    """Fix the moments of the story so every source agrees on the order of events."""
    span = as_of - start
    abandon_at = start + span * rng.uniform(0.15, 0.35)
    browse_at = sorted(abandon_at - timedelta(hours=rng.uniform(2, 96)) for _ in range(2))
    later = [i for i, t in enumerate(send_times) if t >= abandon_at + timedelta(days=2)]
    campaign = later[0] if later else len(send_times) - 1
    click_at = min(
        send_times[campaign] + timedelta(hours=rng.uniform(1, 20)), as_of - timedelta(hours=2)
    )
    store_at = min(click_at + timedelta(days=rng.uniform(5, 45)), as_of - timedelta(hours=1))
    store_at = max(store_at, click_at + timedelta(minutes=30))
    person.plan.update(
        {
            "confirm_at": min(start - timedelta(days=rng.uniform(10, 90)), abandon_at),
            "browse_at": browse_at,
            "abandon_at": abandon_at,
            "click_campaign": campaign,
            "click_at": click_at,
            "store_at": store_at,
            "square_phone_style": rng.choice(SQUARE_PHONE_STYLES),
        }
    )
