"""Demo data generator: realistic, messy exports of Mailchimp, Shopify and Square, plus the
ground truth of who is who.

Why: the CDP's loaders, dbt models and identity resolution need data that looks like real
downloads (file names, headers, nesting, money and date spellings of docs/sources.md) and
a known answer to measure against. Usage::

    from cdp.demo_data import generate_demo_data
    summary = generate_demo_data(Path("data/landing"), Path("data/truth"), people=1000, seed=42)

Landing files (see docs/sources.md):

* ``mailchimp/{subscribed,unsubscribed,cleaned}_members_export_<hash>.csv`` (one audience
  export, ``<hash>`` is 10 hex characters derived from the run parameters),
  ``sent_to_<campaign_id>.json``, ``email_activity_<campaign_id>.json`` and
  ``unsubscribed_<campaign_id>.json`` for every campaign;
* ``shopify/orders_0001.json`` … (pages of at most 250 orders, oldest first),
  ``shopify/customers_export.csv``, ``shopify/products.json``,
  ``shopify/web_events_YYYY-MM.jsonl`` (one file per UTC month);
* ``square/transactions-YYYY-MM-DD-YYYY-MM-DD.csv`` and ``square/items-…csv`` per calendar
  month (clipped to the history), ``square/customers-YYYY-MM-DD.csv`` (directory at ``as_of``).

Ground truth in ``truth_dir``: ``people.csv`` (true people with their real emails, E.164
phones and story tags), ``records.csv`` (source_table, record_key, true_person_id) and
``identifiers.csv`` (every identifier seen in a landing file, normalised, one row per owner).
The shop counter phone typed into strangers' Square profiles (``hard_cases=True`` only)
belongs to no person: its ``identifiers.csv`` row has an empty ``true_person_id``.

Every run writes at least one ``signature`` person whose anonymous phone browsing, abandoned
checkout, Mailchimp click on a laptop and phone-only store profile must resolve to one
person; ``hard_cases=True`` adds the traps of :class:`NoiseConfig`. ``fuzzy=True`` adds people
(:class:`FuzzyConfig`, 15 % by default) whose Square profile, Shopify account and Mailchimp
member share no email or phone, only name, address and birthday: the cases of probabilistic
matching (``cdp/demo_data/fuzzy.py``). Their ``people.csv`` row is tagged ``fuzzy`` and lists
every address they used; the truth gives their mistyped phone to them as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cdp.demo_data.config import FuzzyConfig, NoiseConfig
from cdp.demo_data.writers import WrittenFile

if TYPE_CHECKING:
    from cdp.demo_data.generator import DemoDataSummary, generate_demo_data

__all__ = ["DemoDataSummary", "FuzzyConfig", "NoiseConfig", "WrittenFile", "generate_demo_data"]

# The generator needs Faker (the `demo` extra), so it is imported on first use: the marker and
# the evaluation modules serve `cdp run` and the tests without it.
_FROM_GENERATOR = frozenset({"DemoDataSummary", "generate_demo_data"})


def __getattr__(name: str) -> Any:
    if name in _FROM_GENERATOR:
        from cdp.demo_data import generator

        return getattr(generator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
