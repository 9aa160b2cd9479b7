"""Probabilistic identity matching at scale: N person-like records linked end to end.

For each size (records), this script
  1. generates N person-like records straight into a fresh DuckDB warehouse, as
     `intermediate.int_identity_candidate_records` (the columns and cleaning of
     dbt_project/models/intermediate/identity/int_identity_candidate_records.sql: letters-only
     lower-case names, the street split into number and name, `YYYY-MM-DD` birth dates, `MM-DD`
     birthdays, E.164 phones), plus what the dbt models that add the links read besides:
     `intermediate.int_identity_resolved_nodes` (one node per record anchor, each its own
     deterministic person: no exact link is made, Splink has to find every duplicate);
  2. scores them with the model (`CDP_MATCH_MODEL`, else the shipped one) through
     `cdp.matching.scoring.score_records` (read, blocking and prediction, writing
     `identity_matching.record_pairs`) in a child process;
  3. adds the links with dbt: `int_identity_probabilistic_links` (threshold and guards),
     `int_identity_probabilistic_components` (connected components),
     `int_identity_probabilistic_merges` (per-person limits) and `int_identity_linked_nodes`;
  4. measures wall time per stage, peak RSS of each stage's process tree (sampled every 50 ms),
     the pairs scored and the links accepted, pairwise precision / recall over records against
     the generator's truth (two records are a true pair when the generator made them from one
     person; a predicted pair is two records in one resulting person), and, outside the timed
     stages, how many comparisons each blocking rule generates (exact counts of its join).

The records (numpy draws, strings assembled in DuckDB; no Faker): each person has a first name
(a few hundred, Zipf-like: benchmarks/identity.py's common US names first, then given names of
the nickname seed), a last name (identity.py's common US surnames, then synthesised
pronounceable ones, 3,000 in all, Zipf-like), a home address in one of the demo world's cities
(cdp/demo_data/world/cities.csv, weighted; postcode = one of the city's ZIP prefixes + 2 digits),
a birth date, an email built from the name and a phone in the city's area codes. A person has
1-4 records (1.61 on average) from Shopify customers, Shopify orders, Mailchimp members and
Square customers, each carrying what that tool carries some of the time (Square a full birth
date, Mailchimp a birthday without year, orders always an email) and, on the later records,
what goes wrong in real data: typos in names, streets, postcodes, phones and dates, nicknames
and initials, swapped given and family names, a new address, another email or phone.

Results go to benchmarks/results/probabilistic.json and a table is printed. It is a benchmark
run by hand (see benchmarks/README.md), not a test:

    PYTHONPATH=. .venv/bin/python benchmarks/probabilistic.py                 # 100k and 1M
    PYTHONPATH=. .venv/bin/python benchmarks/probabilistic.py --sizes 100000  # one quick size
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import psutil
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.identity import (  # noqa: E402
    CONSUMER_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    WORK_DOMAINS,
    dbt,
    run_measured,
)

RESULTS = REPO / "benchmarks" / "results" / "probabilistic.json"
CITIES = REPO / "cdp" / "demo_data" / "world" / "cities.csv"
NAME_EQUIVALENTS = REPO / "dbt_project" / "seeds" / "identity_name_equivalents.csv"
DEFAULT_SIZES = (100_000, 1_000_000)
GIB = 1024**3

# The target: 1M records linked end to end in 2 minutes and under 4 GiB.
TARGET_RECORDS = 1_000_000
TARGET_SECONDS = 120.0
TARGET_PEAK_BYTES = 4 * GIB

SEEDS = ("identity_never_link", "identity_name_equivalents")
LINK_MODELS = (
    "int_identity_probabilistic_links",
    "int_identity_probabilistic_components",
    "int_identity_probabilistic_merges",
    "int_identity_linked_nodes",
)

# Records per person: 1.61 on average.
RECORDS_PER_PERSON = np.array([0.55, 0.32, 0.10, 0.03])
SOURCES = ("shopify_customers", "shopify_orders", "mailchimp_members", "square_customers")
SOURCE_WEIGHTS = np.array([0.35, 0.25, 0.25, 0.15])
# Share of each source's records that carry a field (index: SOURCES).
HAS_ADDRESS = np.array([0.80, 0.95, 0.30, 0.50])
HAS_PHONE = np.array([0.50, 0.60, 0.30, 0.85])
HAS_EMAIL = np.array([0.95, 1.00, 1.00, 0.55])
HAS_BIRTH_DATE = np.array([0.0, 0.0, 0.0, 0.45])  # Square's Birthday, with the year
HAS_BIRTHDAY = np.array([0.0, 0.0, 0.40, 0.0])  # Mailchimp's Birthday merge field, MM/DD
FIRST_NAME_COUNT = 400
LAST_NAME_COUNT = 3000
STREET_BASES = (
    "main oak maple pine cedar elm washington lake hill park view sunset lincoln jackson "
    "church walnut spring north south west east river highland forest willow meadow ridge "
    "jefferson madison franklin adams chestnut center mill college market union cherry "
    "dogwood laurel magnolia hickory sycamore birch aspen spruce juniper poplar locust "
    "valley prospect pleasant railroad bridge water school academy canal harbor bay beach "
    "ocean shore cliff summit grove orchard garden vine rose lilly ivy fairview riverside "
    "lakeview hillside woodland greenwood oakwood elmwood parkside broad high front "
    "second third fourth fifth sixth seventh eighth ninth tenth liberty independence "
    "heritage colonial country village mountain canyon mesa desert prairie meadowbrook"
).split()
STREET_SUFFIXES = (
    ("street", "st"),
    ("avenue", "ave"),
    ("road", "rd"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("court", "ct"),
    ("boulevard", "blvd"),
    ("place", "pl"),
    ("way", "way"),
    ("terrace", "ter"),
)


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


def zipf_weights(count: int, offset: float) -> np.ndarray:
    """p(rank r) ∝ 1 / (r + offset): Zipf's law with a flattened head (the commonest US
    surname, Smith, is under 1 % of people, not the 10 % a pure 1/r over 3,000 names gives)."""
    weights = 1.0 / (np.arange(1, count + 1) + offset)
    return weights / weights.sum()


def first_names() -> list[str]:
    """identity.py's common US given names, then given names of the nickname seed."""
    names = list(dict.fromkeys(FIRST_NAMES))
    with NAME_EQUIVALENTS.open() as file:
        seeded = sorted({row["name"] for row in csv.DictReader(file) if len(row["name"]) >= 3})
    extra = [name for name in seeded if name not in set(names)]
    rng = np.random.default_rng(7)
    rng.shuffle(extra)
    return names + extra[: FIRST_NAME_COUNT - len(names)]


def last_names() -> list[str]:
    """identity.py's common US surnames, then pronounceable synthesised ones."""
    names = list(dict.fromkeys(LAST_NAMES))
    onsets = "b br c ch cl d dr f fl g gr h j k kr l m n p pr r s sh st t tr v w wh".split()
    vowels = "a e i o u a e o ai ea ou ie".split()
    codas = ["", "", "n", "r", "l", "s", "t", "m", "ck", "nd", "rt", "ld", "x"]
    endings = "son er ley ton man ford well by ing ez ski berg stein ett ard ins field wood".split()
    rng = np.random.default_rng(11)
    seen = set(names)
    while len(names) < LAST_NAME_COUNT:
        syllables = 1 + int(rng.integers(0, 2))
        name = "".join(
            onsets[rng.integers(len(onsets))]
            + vowels[rng.integers(len(vowels))]
            + codas[rng.integers(len(codas))]
            for _ in range(syllables)
        )
        if rng.random() < 0.7:
            name += endings[rng.integers(len(endings))]
        if 4 <= len(name) <= 12 and name not in seen:
            seen.add(name)
            names.append(name)
    return names


def nicknames(names: list[str]) -> pa.Table:
    """(first-name index, k, nickname): the seed's equivalents of each given name, numbered
    0..n-1 per name, and n."""
    index = {name: i for i, name in enumerate(names)}
    found: dict[int, set[str]] = {}
    with NAME_EQUIVALENTS.open() as file:
        for row in csv.DictReader(file):
            for name, other in (
                (row["name"], row["equivalent_name"]),
                (row["equivalent_name"], row["name"]),
            ):
                if name in index:
                    found.setdefault(index[name], set()).add(other)
    rows = [
        (i, k, nick, len(nicks))
        for i, nicks in sorted(found.items())
        for k, nick in enumerate(sorted(nicks))
    ]
    return pa.table(
        {
            "i": [row[0] for row in rows],
            "k": [row[1] for row in rows],
            "nickname": [row[2] for row in rows],
            "n": [row[3] for row in rows],
        }
    )


def cities() -> tuple[pa.Table, np.ndarray]:
    """The demo world's cities (name, ZIP prefixes, area codes) and their weights."""
    with CITIES.open() as file:
        rows = list(csv.DictReader(file))
    table = pa.table(
        {
            "i": list(range(len(rows))),
            "city": [row["name"].lower() for row in rows],
            "zip_prefixes": [row["zip_prefixes"].split() for row in rows],
            "area_codes": [row["area_codes"].split() for row in rows],
        }
    )
    weights = np.array([float(row["weight"]) for row in rows])
    return table, weights / weights.sum()


def vocabulary_table(values: list[str]) -> pa.Table:
    return pa.table({"i": np.arange(len(values)), "v": values})


# --------------------------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------------------------


def _people(n: int, rng: np.random.Generator, city_weights: np.ndarray) -> pa.Table:
    """One row per person: name, two addresses (home and the one they move to), birth date,
    two emails, two phones."""

    def address(prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}city": rng.choice(len(city_weights), n, p=city_weights).astype(np.int16),
            f"{prefix}zip_pick": rng.integers(0, 3, n).astype(np.int8),
            f"{prefix}zip_tail": rng.integers(0, 100, n).astype(np.int16),
            f"{prefix}street": rng.choice(
                len(STREET_BASES), n, p=zipf_weights(len(STREET_BASES), 10)
            ).astype(np.int16),
            f"{prefix}suffix": rng.choice(
                len(STREET_SUFFIXES), n, p=zipf_weights(len(STREET_SUFFIXES), 1)
            ).astype(np.int8),
            # House numbers: mostly 1-999, some up to 5 digits; a sixth live in a flat.
            f"{prefix}number": np.where(
                rng.random(n) < 0.75, rng.integers(1, 1000, n), rng.integers(1000, 20000, n)
            ).astype(np.int32),
            f"{prefix}apartment": np.where(rng.random(n) < 0.15, rng.integers(1, 40, n), -1).astype(
                np.int16
            ),
        }

    return pa.table(
        {
            "person": np.arange(n, dtype=np.int64),
            "first": rng.choice(FIRST_NAME_COUNT, n, p=zipf_weights(FIRST_NAME_COUNT, 10)).astype(
                np.int16
            ),
            "last": rng.choice(LAST_NAME_COUNT, n, p=zipf_weights(LAST_NAME_COUNT, 30)).astype(
                np.int16
            ),
            **address("home_"),
            **address("new_"),
            "area_pick": rng.integers(0, 3, n).astype(np.int8),
            "short_suffix": rng.random(n) < 0.5,  # writes `st` rather than `street`
            "born": rng.integers(0, 66 * 365, n).astype(np.int32),  # days after 1940-01-01
            "email_style": rng.integers(0, 6, n).astype(np.int8),
            "email_number": np.where(rng.random(n) < 0.5, rng.integers(1, 1000, n), -1).astype(
                np.int16
            ),
            "domain": rng.integers(0, len(CONSUMER_DOMAINS), n).astype(np.int16),
            "email2_style": rng.integers(0, 6, n).astype(np.int8),
            "email2_number": np.where(rng.random(n) < 0.5, rng.integers(1, 1000, n), -1).astype(
                np.int16
            ),
            "domain2": rng.integers(0, len(CONSUMER_DOMAINS) + len(WORK_DOMAINS), n).astype(
                np.int16
            ),
            "phone7": rng.integers(2_000_000, 10_000_000, n).astype(np.int32),
            "phone7_second": rng.integers(2_000_000, 10_000_000, n).astype(np.int32),
        }
    )


def _records(n_records: int, rng: np.random.Generator) -> pa.Table:
    """One row per record: its person, its source and what went wrong on it."""
    per_person = rng.choice(len(RECORDS_PER_PERSON), n_records, p=RECORDS_PER_PERSON) + 1
    ends = np.cumsum(per_person)
    people = int(np.searchsorted(ends, n_records) + 1)
    per_person = per_person[:people]
    per_person[-1] -= int(ends[people - 1] - n_records)  # exactly n_records records
    person = np.repeat(np.arange(people, dtype=np.int64), per_person)
    starts = np.repeat(np.cumsum(per_person) - per_person, per_person)
    k = (np.arange(n_records) - starts).astype(np.int8)  # 0 = the person's first record
    n = n_records
    later = k > 0
    source = rng.choice(len(SOURCES), n, p=SOURCE_WEIGHTS).astype(np.int8)
    # A person holds at most as many tool accounts as identity_max_per_person lets one person
    # hold (2 Shopify customers, 3 Mailchimp members); a further record is an order.
    for index, limit in (
        (SOURCES.index("shopify_customers"), 2),
        (SOURCES.index("mailchimp_members"), 3),
    ):
        held = np.cumsum(source == index)
        held_before_person = np.repeat((held - (source == index))[starts[k == 0]], per_person)
        source[(source == index) & (held - held_before_person > limit)] = SOURCES.index(
            "shopify_orders"
        )

    def chance(p: float | np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        hit = rng.random(n) < (p[source] if isinstance(p, np.ndarray) else p)
        return hit if mask is None else hit & mask

    def variant(shares: list[float], mask: np.ndarray) -> np.ndarray:
        """0 (as the person is) or 1.. (the variants, with these shares) on masked records."""
        drawn = rng.choice(len(shares) + 1, n, p=[1 - sum(shares), *shares]).astype(np.int8)
        return np.where(mask, drawn, 0).astype(np.int8)

    return pa.table(
        {
            "record": np.arange(n, dtype=np.int64),
            "person": person,
            "k": k,
            "source": source,
            # First name: 1 typo, 2 nickname, 3 initial, 4 missing (on later records; missing
            # also on 3 % of first records).
            "first_variant": np.where(
                chance(0.03, ~later), 4, variant([0.08, 0.06, 0.03, 0.03], later)
            ).astype(np.int8),
            # Last name: 1 typo, 2 missing.
            "last_variant": variant([0.08, 0.02], later),
            "swapped": chance(0.01, later),
            "has_address": chance(HAS_ADDRESS),
            # Address: 1 moved, 2 street typo, 3 the other suffix form, 4 no house number,
            # 5 postcode typo, 6 city typo.
            "address_variant": variant([0.10, 0.06, 0.08, 0.04, 0.02, 0.02], later),
            "apartment_left_out": chance(0.2),
            "has_email": chance(HAS_EMAIL),
            # Email: 1 the person's other address.
            "email_variant": variant([0.25], later),
            "has_phone": chance(HAS_PHONE),
            # Phone: 1 the person's other number, 2 a typo.
            "phone_variant": variant([0.10, 0.02], later),
            "has_birth_date": chance(HAS_BIRTH_DATE),
            "has_birthday": chance(HAS_BIRTHDAY),
            "birth_typo": chance(0.03, later),
            # Random draws for the typos (kind, position, letter) and the nickname.
            "typo_first": rng.integers(0, 2**31 - 1, n, dtype=np.int64),
            "typo_last": rng.integers(0, 2**31 - 1, n, dtype=np.int64),
            "typo_street": rng.integers(0, 2**31 - 1, n, dtype=np.int64),
            "typo_digit": rng.integers(0, 2**31 - 1, n, dtype=np.int64),
        }
    )


# A letter typo as people make them: change, drop, add a letter or swap two neighbours. `h` is
# a random integer: its low bits choose the kind, then the position, then the letter.
TYPO_MACRO = """
create or replace temp macro typo(s, h) as (
    case when s is null or length(s) < 2 then s else
    case h % 4
        when 0 then substr(s, 1, ((h // 4) % length(s))::int)
            || chr(97 + ((h // 4096) % 26)::int) || substr(s, ((h // 4) % length(s))::int + 2)
        when 1 then substr(s, 1, ((h // 4) % length(s))::int)
            || substr(s, ((h // 4) % length(s))::int + 2)
        when 2 then substr(s, 1, ((h // 4) % length(s))::int)
            || chr(97 + ((h // 4096) % 26)::int) || substr(s, ((h // 4) % length(s))::int + 1)
        else substr(s, 1, ((h // 4) % (length(s) - 1))::int)
            || substr(s, ((h // 4) % (length(s) - 1))::int + 2, 1)
            || substr(s, ((h // 4) % (length(s) - 1))::int + 1, 1)
            || substr(s, ((h // 4) % (length(s) - 1))::int + 3)
    end end
)
"""
# One digit of a digit string changed (never to itself).
DIGIT_TYPO_MACRO = """
create or replace temp macro digit_typo(s, h) as (
    substr(s, 1, ((h // 16) % length(s))::int)
    || ((substr(s, ((h // 16) % length(s))::int + 1, 1)::int + 1 + h % 9) % 10)::varchar
    || substr(s, ((h // 16) % length(s))::int + 2)
)
"""
EMAIL_LOCAL = """
    case {style}
        when 0 then fn.v || '.' || ln.v
        when 1 then fn.v || ln.v
        when 2 then substr(fn.v, 1, 1) || ln.v
        when 3 then fn.v || '_' || ln.v
        when 4 then fn.v
        else ln.v || '.' || fn.v
    end || case when {number} >= 0 then {number}::varchar else '' end
"""

# People: names, postcodes and area codes looked up, emails made unique (an address is one
# mailbox: a second person who would get one already taken gets a number of their own).
PEOPLE_SQL = f"""
create temp table p as
with named as (
    select
        people_arrow.*,
        fn.v as first_name,
        ln.v as last_name,
        home_c.zip_prefixes[1 + home_zip_pick % len(home_c.zip_prefixes)]
            || lpad(home_zip_tail::varchar, 2, '0') as home_postcode,
        new_c.zip_prefixes[1 + new_zip_pick % len(new_c.zip_prefixes)]
            || lpad(new_zip_tail::varchar, 2, '0') as new_postcode,
        home_c.area_codes[1 + area_pick % len(home_c.area_codes)] as area,
        date '1940-01-01' + born as birth,
        {EMAIL_LOCAL.format(style="email_style", number="email_number")} as local_1,
        d1.v as domain_1,
        {EMAIL_LOCAL.format(style="email2_style", number="email2_number")} as local_2,
        d2.v as domain_2
    from people_arrow
    join first_names as fn on fn.i = people_arrow.first
    join last_names as ln on ln.i = people_arrow.last
    join cities as home_c on home_c.i = people_arrow.home_city
    join cities as new_c on new_c.i = people_arrow.new_city
    join domains as d1 on d1.i = people_arrow.domain
    join domains as d2 on d2.i = people_arrow.domain2
),
mailboxes as (
    select person, 1 as slot, local_1 as local, domain_1 as domain from named
    union all
    select person, 2 as slot, local_2, domain_2 from named
),
unique_mailboxes as (
    select
        person,
        slot,
        local || case when row_number() over (partition by local, domain order by slot, person) > 1
            then '.' || person::varchar || slot::varchar else '' end || '@' || domain as email
    from mailboxes
)
select
    named.* exclude (local_1, domain_1, local_2, domain_2),
    first_mailbox.email as email_1,
    second_mailbox.email as email_2
from named
join unique_mailboxes as first_mailbox
    on first_mailbox.person = named.person and first_mailbox.slot = 1
join unique_mailboxes as second_mailbox
    on second_mailbox.person = named.person and second_mailbox.slot = 2
"""

# Records: each person's fields as one tool wrote them, with what went wrong on the record.
RECORDS_SQL = """
create temp table r as
with joined as (
    select
        records_arrow.*,
        p.* exclude (person),
        sources.v as source_table,
        address_variant = 1 as moved,
        nicknames.nickname
    from records_arrow
    join p using (person)
    join sources on sources.i = records_arrow.source
    left join nicknames
        on nicknames.i = p.first and nicknames.k = records_arrow.typo_first % nicknames.n
),
fields as (
    select
        record,
        person,
        source_table,
        case first_variant
            when 1 then typo(first_name, typo_first)
            when 2 then coalesce(regexp_replace(nickname, '[^a-z]', '', 'g'), first_name)
            when 3 then substr(first_name, 1, 1)
            when 4 then null
            else first_name
        end as first_value,
        case last_variant
            when 1 then typo(last_name, typo_last)
            when 2 then null
            else last_name
        end as last_value,
        swapped,
        case when has_address then
            case when address_variant = 4 then ''
                else (case when moved then new_number else home_number end)::varchar || ' ' end
            || case when address_variant = 2 then typo(st.v, typo_street) else st.v end
            || ' '
            || case when short_suffix <> (address_variant = 3) then sx.short else sx.full end
            || case
                when apartment_left_out then ''
                when moved and new_apartment >= 0 then ' apt ' || new_apartment::varchar
                when not moved and home_apartment >= 0 then ' apt ' || home_apartment::varchar
                else ''
            end
        end as street,
        case when has_address then
            case when address_variant = 6 then typo(c.v, typo_street) else c.v end
        end as city,
        case when has_address then
            case
                when address_variant = 5 then digit_typo(home_postcode, typo_digit)
                when moved then new_postcode
                else home_postcode
            end
        end as postcode,
        case when has_email or source_table = 'shopify_orders' then
            case when email_variant = 1 then email_2 else email_1 end
        end as email,
        case when has_phone then
            '+1' || area || case phone_variant
                when 1 then phone7_second::varchar
                when 2 then digit_typo(phone7::varchar, typo_digit)
                else phone7::varchar
            end
        end as phone,
        case when has_birth_date or has_birthday then
            case when birth_typo then digit_typo(strftime(birth, '%Y%m%d'), typo_digit)
                else strftime(birth, '%Y%m%d') end
        end as birth_digits,
        has_birth_date
    from joined
    join streets as st on st.i = case when moved then new_street else home_street end
    join suffixes as sx on sx.i = case when moved then new_suffix else home_suffix end
    join city_names as c on c.i = case when moved then new_city else home_city end
)
select
    fields.* exclude (first_value, last_value, swapped),
    case when swapped then last_value else first_value end as first_name,
    case when swapped then first_value else last_value end as last_name
from fields
"""

# The candidate records exactly as int_identity_candidate_records writes them (its columns,
# its cleaning of the street, its birth date formats), and the truth beside them.
CANDIDATES_SQL = """
create table bench.records as
with ids as (
    select
        r.*,
        case source_table
            when 'shopify_customers' then (6000000000000 + record)::varchar
            when 'shopify_orders' then (4000000000 + record)::varchar
            when 'mailchimp_members' then md5('member' || record::varchar)
            else upper(substr(md5('square' || record::varchar), 1, 26))
        end as source_record_id,
        -- A typo may make a day that does not exist: no birth date then, as in dbt.
        try_strptime(birth_digits, '%Y%m%d')::date as birth_day
    from r
    where first_name is not null or last_name is not null
)
select
    source_table || ':' || source_record_id as record_key,
    source_table,
    source_record_id,
    1::bigint as source_records,
    case source_table
        when 'shopify_customers' then 'shopify_customer_id'
        when 'shopify_orders' then 'email'
        when 'mailchimp_members' then 'mailchimp_subscriber_id'
        else 'square_customer_id'
    end as anchor_type,
    case source_table when 'shopify_orders' then email else source_record_id end as anchor_value,
    first_name,
    last_name,
    street,
    nullif(regexp_extract(street, '^([0-9]+)', 1), '') as street_number,
    nullif(trim(regexp_replace(street, '^[0-9]+[a-z]? *', '')), '') as street_name,
    city,
    postcode,
    case when has_birth_date then strftime(birth_day, '%Y-%m-%d') end as birth_date,
    strftime(birth_day, '%m-%d') as birth_month_day,
    email,
    split_part(email, '@', 1) as email_local,
    phone,
    right(phone, 7) as phone_last7,
    person
from ids
"""

# One node per anchor, each its own deterministic person (the columns of the dbt view).
RESOLVED_NODES_SQL = """
create table intermediate.int_identity_resolved_nodes as
with anchors as (
    select distinct anchor_type as identifier_type, anchor_value as identifier_value
    from intermediate.int_identity_candidate_records
),
numbered as (
    select
        row_number() over (order by identifier_type, identifier_value) as node_id,
        identifier_type,
        identifier_value
    from anchors
)
select
    node_id,
    identifier_type || ':' || identifier_value as node_key,
    identifier_type,
    identifier_value,
    timestamp '2024-01-01' as first_seen_at,
    timestamp '2024-01-01' as last_seen_at,
    node_id as component_id
from numbered
"""


def generate(warehouse: Path, n_records: int, seed: int) -> dict:
    """Writes the candidate records, the resolved nodes and the truth; returns counts."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    city_table, city_weights = cities()
    firsts = first_names()
    records = _records(n_records, rng)
    people = _people(int(records.column("person").to_numpy()[-1]) + 1, rng, city_weights)
    conn = duckdb.connect(str(warehouse))
    conn.execute("set preserve_insertion_order = false")
    for name, table in {
        "people_arrow": people,
        "records_arrow": records,
        "cities": city_table,
        "city_names": vocabulary_table(city_table.column("city").to_pylist()),
        "first_names": vocabulary_table(firsts),
        "last_names": vocabulary_table(last_names()),
        "nicknames": nicknames(firsts),
        "streets": vocabulary_table(list(STREET_BASES)),
        "suffixes": pa.table(
            {
                "i": np.arange(len(STREET_SUFFIXES)),
                "full": [full for full, _ in STREET_SUFFIXES],
                "short": [short for _, short in STREET_SUFFIXES],
            }
        ),
        "domains": vocabulary_table(list(CONSUMER_DOMAINS) + list(WORK_DOMAINS)),
        "sources": vocabulary_table(list(SOURCES)),
    }.items():
        conn.register(name, table)
    conn.execute(TYPO_MACRO)
    conn.execute(DIGIT_TYPO_MACRO)
    conn.execute(PEOPLE_SQL)
    conn.execute(RECORDS_SQL)
    conn.execute("create schema if not exists intermediate")
    conn.execute("create schema if not exists bench")
    conn.execute(CANDIDATES_SQL)
    conn.execute("create table bench.truth as select record_key, person from bench.records")
    conn.execute("""
        create table intermediate.int_identity_candidate_records as
        select * exclude (person) from bench.records order by record_key
    """)
    conn.execute("drop table bench.records")
    conn.execute(RESOLVED_NODES_SQL)
    records_, people_, true_pairs = conn.execute("""
        select sum(n), count(*), sum(n * (n - 1) // 2)
        from (select person, count(*) as n from bench.truth group by person)
    """).fetchall()[0]
    shares = conn.execute("""
        select
            avg((first_name is not null)::int), avg((street is not null)::int),
            avg((birth_date is not null)::int), avg((birth_month_day is not null)::int),
            avg((email is not null)::int), avg((phone is not null)::int)
        from intermediate.int_identity_candidate_records
    """).fetchall()[0]
    anchors = conn.execute(
        "select count(*) from intermediate.int_identity_resolved_nodes"
    ).fetchall()[0][0]
    conn.close()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "records": int(records_),
        "people": int(people_),
        "true_pairs": int(true_pairs),
        "anchors": int(anchors),
        "share_with": {
            name: round(value, 3)
            for name, value in zip(
                ("first_name", "street", "birth_date", "birth_month_day", "email", "phone"),
                shares,
                strict=True,
            )
        },
        "sum_squared_first_name_frequency": round(
            float((zipf_weights(FIRST_NAME_COUNT, 10) ** 2).sum()), 5
        ),
        "sum_squared_last_name_frequency": round(
            float((zipf_weights(LAST_NAME_COUNT, 30) ** 2).sum()), 5
        ),
    }


# --------------------------------------------------------------------------------------------
# The stages
# --------------------------------------------------------------------------------------------


def score_worker(warehouse: Path, floor: float) -> None:
    """Runs in its own process: scores the records as the Dagster asset does (the model of
    CDP_MATCH_MODEL, else the shipped one), prints JSON."""
    started = time.perf_counter()
    import splink  # noqa: F401  (imported on first use by scoring; timed apart here)

    from cdp.core.settings import Settings
    from cdp.matching.model import model_path
    from cdp.matching.scoring import score_records

    imported = time.perf_counter() - started
    conn = duckdb.connect(str(warehouse))
    run = score_records(conn, model_path(Settings.from_env()), floor)
    conn.close()
    print(
        json.dumps(
            {
                "import_seconds": round(imported, 2),
                "records": run.records,
                "pairs": run.pairs,
                "model_id": run.model_id,
                "seconds": run.seconds,
            }
        )
    )


def run_scoring(warehouse: Path, work: Path, floor: float, model: Path) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--score-worker",
        "--warehouse",
        str(warehouse),
        "--floor",
        str(floor),
    ]
    log = work / "score.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CDP_MATCH_MODEL": str(model)}
    run = run_measured(command, env, log)
    if run["code"] != 0:
        raise SystemExit(f"scoring failed:\n{log.read_text()[-3000:]}")
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    return {**json.loads(lines[-1]), **_measured(run)}


def _measured(run: dict) -> dict:
    return {
        "wall_seconds": round(run["wall"], 2),
        "cpu_seconds": round(run["cpu"], 2),
        "peak_rss_bytes": run["peak"],
        "load_average": run["load"],
    }


def run_links(warehouse: Path, work: Path, threshold: float | None) -> dict:
    env = {**os.environ, "CDP_WAREHOUSE": str(warehouse)}
    variables = (
        ["--vars", json.dumps({"identity_probabilistic_threshold": threshold})]
        if threshold is not None
        else []
    )
    seed = run_measured(
        dbt("seed", "--select", *SEEDS, *variables, work=work), env, work / "dbt_seed.log"
    )
    if seed["code"] != 0:
        raise SystemExit(f"dbt seed failed:\n{(work / 'dbt_seed.log').read_text()[-3000:]}")
    run = run_measured(
        dbt("run", "--select", *LINK_MODELS, *variables, work=work), env, work / "dbt_run.log"
    )
    if run["code"] != 0:
        raise SystemExit(f"dbt run failed:\n{(work / 'dbt_run.log').read_text()[-3000:]}")
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    return {
        "seed_wall_seconds": round(seed["wall"], 2),
        **_measured(run),
        "model_seconds": {
            result["unique_id"].split(".")[-1]: round(result["execution_time"], 2)
            for result in results
        },
    }


# --------------------------------------------------------------------------------------------
# Outcome: links, accuracy, blocking
# --------------------------------------------------------------------------------------------


def outcome(warehouse: Path) -> dict:
    """Decisions of the link model and pairwise precision / recall over records."""
    conn = duckdb.connect(str(warehouse), read_only=True)
    # The first-names refusal names the two names: one decision per kind here.
    decisions = dict(
        conn.execute("""
            select regexp_replace(decision, ' \\(.*$', '') as kind, count(*)
            from intermediate.int_identity_probabilistic_links
            group by kind order by 2 desc
        """).fetchall()
    )
    scored_true = conn.execute("""
        select count(*) filter (where left_truth.person = right_truth.person)
        from identity_matching.record_pairs as pairs
        join bench.truth as left_truth on left_truth.record_key = pairs.record_key_l
        join bench.truth as right_truth on right_truth.record_key = pairs.record_key_r
    """).fetchall()[0][0]
    row = conn.execute("""
        with final as (
            select truth.person, linked.component_id
            from intermediate.int_identity_candidate_records as records
            join bench.truth as truth using (record_key)
            join intermediate.int_identity_linked_nodes as linked
                on records.anchor_type = linked.identifier_type
                and records.anchor_value = linked.identifier_value
        ),
        pairs as (
            select
                (select sum(n * (n - 1) // 2) from (select count(*) as n from final
                    group by person)) as true_pairs,
                (select sum(n * (n - 1) // 2) from (select count(*) as n from final
                    group by component_id)) as predicted_pairs,
                (select sum(n * (n - 1) // 2) from (select count(*) as n from final
                    group by person, component_id)) as correct_pairs,
                (select count(distinct component_id) from final) as people,
                (select count(*) from final) as records
        )
        select * from pairs
    """).fetchall()[0]
    conn.close()
    true_pairs, predicted, correct, people, records = (int(value or 0) for value in row)
    return {
        "decisions": {key: int(value) for key, value in decisions.items()},
        "links": int(decisions.get("link", 0)),
        "scored_pairs_of_one_person": int(scored_true),
        "resulting_people": people,
        "evaluated_records": records,
        "true_pairs": true_pairs,
        "predicted_pairs": predicted,
        "correct_pairs": correct,
        "precision": round(correct / predicted, 4) if predicted else None,
        "recall": round(correct / true_pairs, 4) if true_pairs else None,
    }


def blocking_counts(warehouse: Path, model: Path) -> dict:
    """Comparisons each blocking rule of the model generates (its own, and the new ones after
    the rules before it, as Splink deduplicates them) and the true pairs the rules reach: exact
    counts of the rules' joins, outside the timed stages."""
    settings = json.loads(model.read_text())
    rules = [rule["blocking_rule"] for rule in settings["blocking_rules_to_generate_predictions"]]
    started = time.perf_counter()
    conn = duckdb.connect(str(warehouse), read_only=True)
    conn.execute("set preserve_insertion_order = false")
    conn.execute("""
        create temp table rec as
        select * from intermediate.int_identity_candidate_records
        join bench.truth using (record_key)
    """)
    per_rule = []
    for index, rule in enumerate(rules):
        earlier = " or ".join(f"coalesce(({sql}), false)" for sql in rules[:index]) or "false"
        own, new, true_own, true_new = conn.execute(f"""
            select
                count(*),
                count(*) filter (where not ({earlier})),
                count(*) filter (where l.person = r.person),
                count(*) filter (where l.person = r.person and not ({earlier}))
            from rec as l join rec as r on ({rule}) and l.record_key < r.record_key
        """).fetchall()[0]
        per_rule.append(
            {
                "rule": rule,
                "comparisons": own,
                "new_comparisons": new,
                "true_pairs": true_own,
                "new_true_pairs": true_new,
            }
        )
    largest = conn.execute("""
        select last_name, substr(first_name, 1, 1) as initial, count(*) as n
        from rec where last_name is not null and first_name is not null
        group by all order by n desc limit 5
    """).fetchall()
    conn.close()
    total = sum(rule["new_comparisons"] for rule in per_rule)
    reached = sum(rule["new_true_pairs"] for rule in per_rule)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "comparisons": total,
        "true_pairs_blocked": reached,
        "rules": per_rule,
        "largest_last_name_initial_blocks": [
            {"last_name": last, "initial": initial, "records": n} for last, initial, n in largest
        ],
    }


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


def benchmark_size(
    n_records: int, seed: int, root: Path, floor: float, threshold: float | None, model: Path, log
) -> dict:
    work = root / f"records_{n_records}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "cdp.duckdb"
    log(f"[{n_records:,} records] generating…")
    generated = generate(warehouse, n_records, seed)
    log(f"[{n_records:,} records] {generated}; scoring…")
    scoring = run_scoring(warehouse, work, floor, model)
    log(f"[{n_records:,} records] scoring {scoring}; adding links with dbt…")
    links = run_links(warehouse, work, threshold)
    log(f"[{n_records:,} records] links {links}; evaluating…")
    result = outcome(warehouse)
    log(f"[{n_records:,} records] {result}; counting blocked comparisons…")
    blocking = blocking_counts(warehouse, model)
    log(f"[{n_records:,} records] blocking {blocking['comparisons']:,} comparisons")
    total = scoring["wall_seconds"] + links["wall_seconds"]
    peak = max(scoring["peak_rss_bytes"], links["peak_rss_bytes"])
    if os.environ.get("CDP_BENCH_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)
    return {
        "requested_records": n_records,
        "records": generated["records"],
        "people": generated["people"],
        "comparisons": blocking["comparisons"],
        "pairs": scoring["pairs"],
        "links": result["links"],
        "seconds": {
            "scoring": scoring["wall_seconds"],
            "scoring_read": scoring["seconds"]["read"],
            "scoring_predict": scoring["seconds"]["predict"],
            "scoring_write": scoring["seconds"]["write"],
            "scoring_import": scoring["import_seconds"],
            "links_dbt": links["wall_seconds"],
            **{f"links_{name}": value for name, value in links["model_seconds"].items()},
        },
        "total_seconds": round(total, 2),
        "peak_rss_gib": round(peak / GIB, 2),
        "peak_rss_gib_by_stage": {
            "scoring": round(scoring["peak_rss_bytes"] / GIB, 2),
            "links_dbt": round(links["peak_rss_bytes"] / GIB, 2),
        },
        "cpu_seconds": {"scoring": scoring["cpu_seconds"], "links_dbt": links["cpu_seconds"]},
        "load_average": {"scoring": scoring["load_average"], "links_dbt": links["load_average"]},
        "precision": result["precision"],
        "recall": result["recall"],
        "accuracy": result,
        "generated": generated,
        "blocking": blocking,
        "dbt_seed_seconds": links["seed_wall_seconds"],
        "model_id": scoring["model_id"],
    }


def versions() -> dict:
    from importlib import metadata

    found = {}
    for name in ("splink", "duckdb", "dbt-core", "dbt-duckdb", "numpy", "pyarrow"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def targets(results: list[dict]) -> dict:
    at_target = next(
        (size for size in results if size["requested_records"] == TARGET_RECORDS), None
    )
    if at_target is None:
        return {"records": TARGET_RECORDS, "measured": False}
    return {
        "records": TARGET_RECORDS,
        "measured": True,
        "under_2_minutes": at_target["total_seconds"] <= TARGET_SECONDS,
        "under_4_GiB": at_target["peak_rss_gib"] * GIB < TARGET_PEAK_BYTES,
    }


def print_table(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Probabilistic matching end to end (seconds; memory = peak RSS)")
    for column in (
        "records",
        "people",
        "comparisons",
        "pairs ≥ floor",
        "links",
        "score (predict)",
        "dbt links",
        "total",
        "peak",
        "precision",
        "recall",
    ):
        table.add_column(column, justify="right")
    for size in report["sizes"]:
        seconds = size["seconds"]
        table.add_row(
            f"{size['records']:,}",
            f"{size['people']:,}",
            f"{size['comparisons']:,}",
            f"{size['pairs']:,}",
            f"{size['links']:,}",
            f"{seconds['scoring']:.1f} ({seconds['scoring_predict']:.1f})",
            f"{seconds['links_dbt']:.1f}",
            f"{size['total_seconds']:.1f}",
            f"{size['peak_rss_gib']:.2f} GiB",
            f"{size['precision']:.4f}",
            f"{size['recall']:.4f}",
        )
    console = Console(width=200)
    console.print(table)
    for size in report["sizes"]:
        rules = ", ".join(
            f"{rule['comparisons']:,} ({rule['new_comparisons']:,} new)"
            for rule in size["blocking"]["rules"]
        )
        console.print(f"{size['records']:,} records, comparisons per blocking rule: {rules}")
    console.print(f"Targets: {report['targets']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated numbers of records",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--floor", type=float, default=0.5, help="score_records' floor (the asset's default)"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="identity_probabilistic_threshold for dbt (default: dbt_project.yml's)",
    )
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temp folder)")
    parser.add_argument(
        "--out",
        type=Path,
        help=f"results file (default {RESULTS.relative_to(REPO)})",
    )
    parser.add_argument("--score-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.score_worker:
        score_worker(args.warehouse, args.floor)
        return

    sizes = [int(size) for size in args.sizes.split(",")]
    root = args.workdir or Path(tempfile.mkdtemp(prefix="cdp-bench-probabilistic-"))
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"{time.perf_counter() - started:7.1f}s {message}", flush=True)

    from cdp.core.settings import Settings
    from cdp.matching.model import model_path

    root.mkdir(parents=True, exist_ok=True)
    model = model_path(Settings.from_env())  # CDP_MATCH_MODEL when set, else the shipped model
    out = args.out or RESULTS
    results = [
        benchmark_size(n, args.seed, root, args.floor, args.threshold, model, log) for n in sizes
    ]
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(["PYTHONPATH=. python benchmarks/probabilistic.py", *sys.argv[1:]]),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "versions": versions(),
        "model": str(model.relative_to(REPO)) if model.is_relative_to(REPO) else model.name,
        "blocking_rules": [
            rule["blocking_rule"]
            for rule in json.loads(model.read_text())["blocking_rules_to_generate_predictions"]
        ],
        "floor": args.floor,
        "threshold": args.threshold,
        "sizes": results,
        "targets": targets(results),
        "run_seconds": round(time.perf_counter() - started, 1),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    log(f"written {out}")
    if args.workdir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
