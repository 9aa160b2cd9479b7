"""Entry point: simulate ~18 months of a shop's customers and write every tool's exports plus
the ground truth.

Each subsystem draws from its own RNG stream split off `random.Random(seed)` in a fixed order,
so a change in one tool's simulation never shifts another's output, and the clock is read only
to default `as_of`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cdp.demo_data.config import SIMULATION_DAYS, BehaviourRates, FuzzyConfig, NoiseConfig
from cdp.demo_data.fake import Faker
from cdp.demo_data.fuzzy import apply_fuzzy
from cdp.demo_data.ids import IdFactory, stable_hex
from cdp.demo_data.mailchimp import MailchimpSim, schedule_campaigns
from cdp.demo_data.marker import write_marker
from cdp.demo_data.noise import apply_hard_cases
from cdp.demo_data.people import EmailBook, Person, PhoneBook, build_people
from cdp.demo_data.shopify import ShopifyOrders, plan_customers, write_products
from cdp.demo_data.square import SquareSim
from cdp.demo_data.stories import choose_signature_people, plan_signature
from cdp.demo_data.truth import GroundTruth
from cdp.demo_data.variants import apply_variants
from cdp.demo_data.web import EventSpool, WebSim
from cdp.demo_data.writers import TRUTH_FILES, FileLog, WrittenFile, clean_previous

_STREAMS = (
    "people",
    "story",
    "noise",
    "mailchimp",
    "mailchimp_ids",
    "shopify",
    "shopify_ids",
    "web",
    "web_ids",
    "square",
    "square_ids",
    "variants",
    "fuzzy",  # last: the streams before it are the same as before fuzzy people existed
)


@dataclass(frozen=True)
class DemoDataSummary:
    """What a run wrote: every file with its record count, and how many true people exist."""

    landing_dir: Path
    truth_dir: Path
    people: int
    seed: int
    as_of: datetime
    hard_cases: bool
    files: tuple[WrittenFile, ...]
    variants: tuple[str, ...] = ()
    """The other documented export shapes written (`variants=True`), by name."""
    fuzzy: bool = False

    def records(self, folder: str | None = None) -> int:
        """Total records written, optionally only under one folder (`shopify`, `truth`, …)."""
        return sum(f.records for f in self.files if folder is None or f.path.parent.name == folder)


def default_as_of() -> datetime:
    """Now, rounded down to the hour, in UTC (the only place the clock is read)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def generate_demo_data(
    landing_dir: Path,
    truth_dir: Path,
    people: int = 1000,
    seed: int = 42,
    as_of: datetime | None = None,
    hard_cases: bool = False,
    noise: NoiseConfig | None = None,
    variants: bool = False,
    fuzzy: bool = False,
    fuzzy_config: FuzzyConfig | None = None,
) -> DemoDataSummary:
    """Write Mailchimp, Shopify and Square exports for `people` simulated shoppers into
    `landing_dir/{mailchimp,shopify,square}` and the ground truth into `truth_dir`.

    `as_of` (timezone-aware) ends the ~18-month history; None means now rounded down to the
    hour. Same `seed` and `as_of` give byte-identical files. `hard_cases` switches on the
    identity traps of `NoiseConfig` (`noise` overrides its default rates). `variants` rewrites
    part of the exports into the other documented shapes of the same tools and adds the
    identifier messes of real folders (`cdp/demo_data/variants.py`); the ground truth is
    unchanged by it. `fuzzy` adds people whose records in the tools share no email or phone,
    only name, address and birthday (`cdp/demo_data/fuzzy.py`; `fuzzy_config` overrides the
    default `FuzzyConfig`); without it the files are the same as before that option existed.
    Files a previous run wrote in these folders are removed first so no stale month or
    campaign survives; a folder holding any other file is refused (`CdpError`, nothing
    deleted): see `writers.clean_previous`.
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    if as_of is None:
        as_of = default_as_of()
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    as_of = as_of.astimezone(UTC)
    start = as_of - timedelta(days=SIMULATION_DAYS)
    landing_dir, truth_dir = Path(landing_dir), Path(truth_dir)
    clean_previous(landing_dir, truth_dir)
    fuzzy_rates = (fuzzy_config or FuzzyConfig()) if fuzzy else None
    about: dict[str, object] = {
        "seed": seed,
        "people": people,
        "as_of": as_of.isoformat(),
        "hard_cases": hard_cases,
        "variants": variants,
    }
    if fuzzy_rates is not None:
        about["fuzzy_share"] = fuzzy_rates.share
    try:
        population, files, applied = _simulate(
            landing_dir,
            truth_dir,
            people,
            seed,
            as_of,
            start,
            hard_cases,
            noise,
            variants,
            fuzzy_rates,
        )
    finally:
        # Everything in the folders now was written by this run (anything else was refused
        # above), so the marker lists it even after a crash: the next run can clean it up.
        write_marker(landing_dir, truth_dir, TRUTH_FILES, about)
    return DemoDataSummary(
        landing_dir=landing_dir,
        truth_dir=truth_dir,
        people=population,
        seed=seed,
        as_of=as_of,
        hard_cases=hard_cases,
        files=files,
        variants=applied,
        fuzzy=fuzzy,
    )


def _simulate(
    landing_dir: Path,
    truth_dir: Path,
    people: int,
    seed: int,
    as_of: datetime,
    start: datetime,
    hard_cases: bool,
    noise: NoiseConfig | None,
    variants: bool,
    fuzzy: FuzzyConfig | None,
) -> tuple[int, tuple[WrittenFile, ...], tuple[str, ...]]:
    """Simulates the shop and writes every file; returns (true people, files written, the
    export variants applied). `fuzzy` None means no fuzzy people."""
    master = random.Random(seed)
    rng = {name: random.Random(master.getrandbits(64)) for name in _STREAMS}
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rates = BehaviourRates()
    emails, phones = EmailBook(), PhoneBook()

    population = build_people(
        people, rng["people"], fake, rates, emails, phones, unique_names=not hard_cases
    )
    signature = choose_signature_people(population, rng["story"], 1 + people // 2000, phones)
    mailchimp_ids = IdFactory(rng["mailchimp_ids"])
    campaigns = schedule_campaigns(
        rng["mailchimp"], mailchimp_ids, start, as_of, rates.campaign_every_days
    )
    for person in signature:
        plan_signature(person, rng["story"], [c.send_time for c in campaigns], start, as_of)
    if hard_cases:
        apply_hard_cases(
            population, rng["noise"], noise or NoiseConfig(), emails, phones, start, as_of
        )
    if fuzzy is not None:
        # After the hard cases: a fuzzy family member must stay told apart from the family.
        apply_fuzzy(population, rng["fuzzy"], fuzzy, emails, phones)
    _plan_recent_abandons(population, rng["story"], as_of)
    shopify_ids = IdFactory(rng["shopify_ids"])
    plan_customers(population, rng["shopify"], shopify_ids, start, as_of)

    truth = GroundTruth(truth_dir)
    log = FileLog()

    mailchimp = MailchimpSim(rng["mailchimp"], mailchimp_ids, campaigns, rates, start, as_of)
    mailchimp.build_members(population)
    mailchimp.prepare_rows()
    mailchimp.run_campaigns(landing_dir / "mailchimp", truth, log)
    suffix = stable_hex("audience", seed, as_of.isoformat(), people, hard_cases)
    mailchimp.write_exports(landing_dir / "mailchimp", suffix, truth, log)
    del mailchimp  # each tool's state is released once its files are on disk

    shop = landing_dir / "shopify"
    orders = ShopifyOrders(rng["shopify"], shopify_ids, rates, as_of)
    spool = EventSpool(shop)
    web = WebSim(rng["web"], IdFactory(rng["web_ids"]), spool, orders, truth, rates, start, as_of)
    web.run(population)
    spool.finish(truth, log)
    orders.write(shop, truth, log)
    orders.write_customers(shop / "customers_export.csv", population, rng["shopify"], truth, log)
    write_products(shop / "products.json", start, log)
    del orders, web, spool

    square = SquareSim(rng["square"], IdFactory(rng["square_ids"]), rates, start, as_of, hard_cases)
    square.run(population)
    square.write(landing_dir / "square", truth, log)
    del square

    applied = apply_variants(landing_dir, log, rng["variants"]) if variants else []
    truth.write(population, log)
    return len(population), tuple(log.files), tuple(applied)


def _plan_recent_abandons(population: list[Person], rng: random.Random, as_of: datetime) -> None:
    """A few checkouts abandoned in the last 24 hours, the freshest audience a CDP can act on."""
    candidates = [p for p in population if p.web_active and not p.signature]
    count = min(len(candidates), max(2, len(population) // 250))
    for person in rng.sample(candidates, count):
        person.plan["recent_abandon"] = as_of - timedelta(hours=rng.uniform(1, 23))
