"""Tests of the demo generator's fuzzy people (`fuzzy=True`): records that share no email or
phone, only name, address and birthday, and a ground truth that still gives them to one person."""

from __future__ import annotations

import csv
import json
import random
import re
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cdp.demo_data import FuzzyConfig, generate_demo_data
from cdp.demo_data.catalog import NICKNAMES, STREET_SUFFIX_ABBREVIATIONS
from cdp.demo_data.fuzzy import typed_name
from cdp.demo_data.marker import MARKER_NAME
from cdp.demo_data.truth import normalise_email, normalise_phone

AS_OF = datetime(2026, 3, 15, 12, tzinfo=UTC)
PEOPLE = 300
_SQUARE_BIRTHDAY = r"(?:(\d{4})-)?(\d{2})-(\d{2})(?:-(\d{4}))?"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Run:
    """One generated data set, its records grouped by true person."""

    def __init__(self, base: Path) -> None:
        self.landing, self.truth = base / "landing", base / "truth"
        owner = {
            (r["source_table"], r["record_key"]): r["true_person_id"]
            for r in _rows(self.truth / "records.csv")
        }
        self.people = {r["true_person_id"]: r for r in _rows(self.truth / "people.csv")}
        self.fuzzy = {pid for pid, r in self.people.items() if "fuzzy" in r["tags"].split(";")}
        self.square: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in _rows(next((self.landing / "square").glob("customers-*.csv"))):
            if row["Instant Profile"] == "No":
                key = ("square_customers", row["Square Customer ID"])
                self.square[owner[key]].append(row)
        self.shopify: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in _rows(self.landing / "shopify" / "customers_export.csv"):
            self.shopify[owner[("shopify_customers", row["Customer ID"].lstrip("'"))]].append(row)
        self.mailchimp: dict[str, list[dict[str, str]]] = defaultdict(list)
        for path in (self.landing / "mailchimp").glob("*_members_export_*.csv"):
            for row in _rows(path):
                self.mailchimp[owner[("mailchimp_members", row["EUID"])]].append(row)
        self.owner = owner
        self.identifiers: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in _rows(self.truth / "identifiers.csv"):
            key = (row["identifier_type"], row["identifier_value"])
            self.identifiers[key].add(row["true_person_id"])


def _generate(base: Path, **kw: object) -> Run:
    generate_demo_data(base / "landing", base / "truth", people=PEOPLE, seed=11, as_of=AS_OF, **kw)
    return Run(base)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _generate(tmp_path_factory.mktemp("fuzzy"), fuzzy=True)


def _contacts(*values: str) -> set[str]:
    """Identifiers as the truth normalises them (emails lower-cased, phones E.164)."""
    found = set()
    for value in values:
        value = value.strip().lstrip("'")
        if "@" in value:
            found.add(normalise_email(value))
        elif value:
            found.add(normalise_phone(value) or value)
    return found


def _square_contacts(row: dict[str, str]) -> set[str]:
    return _contacts(row["Email Address"], row["Phone Number"])


def _shopify_contacts(row: dict[str, str]) -> set[str]:
    return _contacts(row["Email"], row["Phone"], row["Default Address Phone"])


def _in_both(run: Run) -> list[str]:
    """Fuzzy people with a Square profile and a Shopify account."""
    return sorted(pid for pid in run.fuzzy if run.square[pid] and run.shopify[pid])


def test_about_the_configured_share_of_people_is_fuzzy(run: Run) -> None:
    assert len(run.fuzzy) == round(PEOPLE * FuzzyConfig().share)
    assert not any("signature" in run.people[pid]["tags"] for pid in run.fuzzy)


def test_square_and_shopify_records_of_fuzzy_people_share_no_email_or_phone(run: Run) -> None:
    both = _in_both(run)
    assert len(both) >= 5
    for pid in both:
        (till,), (account,) = run.square[pid], run.shopify[pid]
        assert not _square_contacts(till) & _shopify_contacts(account), pid
    # Some give no email at the till; some have their phone mistyped (a digit changed/dropped).
    assert any(not run.square[pid][0]["Email Address"] for pid in both)
    phones = [run.square[pid][0]["Phone Number"] for pid in both]
    assert any(p and sum(c.isdigit() for c in p.lstrip("+1")) == 9 for p in phones)


def test_mailchimp_members_of_fuzzy_people_use_yet_another_email_and_no_phone(run: Run) -> None:
    members = [pid for pid in run.fuzzy if run.mailchimp[pid]]
    assert len(members) >= 10
    for pid in members:
        (member,) = run.mailchimp[pid]
        assert member["Phone Number"] == ""
        email = _contacts(member["Email Address"])
        for other in run.shopify[pid] + run.square[pid]:
            assert not email & (_shopify_contacts(other) if "Email" in other else set())
            assert not email & (_square_contacts(other) if "Email Address" in other else set())


def test_no_browser_ties_a_fuzzy_member_to_a_shopify_account(run: Run) -> None:
    euids = {m["EUID"] for pid in run.fuzzy for m in run.mailchimp[pid]}
    newsletter_browsers, known_browsers = set(), set()
    for path in (run.landing / "shopify").glob("web_events_*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            href = event["context"]["document"]["location"]["href"]
            if any(f"mc_eid={euid}" in href for euid in euids):
                newsletter_browsers.add(event["clientId"])
            if event["customerId"] or event["name"].startswith("checkout_"):
                known_browsers.add(event["clientId"])
    assert newsletter_browsers
    assert not newsletter_browsers & known_browsers


def _street(line: str) -> str:
    """House number and street name, the part of line 1 no variation touches."""
    return " ".join(line.lower().split()[:2]).rstrip(",")


def _one_letter_apart(a: str, b: str) -> bool:
    a, b = a.strip().lower(), b.strip().lower()
    if a == b:
        return True
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return len(long) - len(short) == 1 and any(
        long[:i] + long[i + 1 :] == short for i in range(len(long))
    )


def test_fuzzy_records_share_last_name_postcode_street_and_birthday(run: Run) -> None:
    checked = 0
    variations = set()
    for pid in run.fuzzy:
        person = run.people[pid]
        records = []  # (first, last, line 1, postcode, MM-DD birthday or None)
        for row in run.shopify[pid]:
            records.append(
                (
                    row["First Name"],
                    row["Last Name"],
                    row["Default Address Address1"],
                    row["Default Address Zip"],
                    None,
                )
            )
        for row in run.square[pid]:
            match = re.fullmatch(_SQUARE_BIRTHDAY, row["Birthday"])
            assert match, row["Birthday"]
            records.append(
                (
                    row["First Name"],
                    row["Last Name"],
                    row["Street Address 1"],
                    row["Postal Code"],
                    f"{match[2]}-{match[3]}",
                )
            )
        for row in run.mailchimp[pid]:
            parts = row["Address"].split("  ")
            assert parts[-1] == "US"
            records.append(
                (
                    row["First Name"],
                    row["Last Name"],
                    parts[0],
                    parts[-2],
                    row["Birthday"].replace("/", "-"),
                )
            )
        if len(records) < 2:
            continue
        checked += 1
        first, last, line1, postcode, _ = records[0]
        birthdays = {r[4] for r in records if r[4] is not None}
        assert len(birthdays) <= 1, (pid, birthdays)
        for typed_first, typed_last, typed_line1, typed_postcode, _ in records:
            assert typed_postcode == postcode, pid
            assert _street(typed_line1) == _street(line1), (pid, typed_line1, line1)
            assert _one_letter_apart(typed_last, person["last_name"]), (pid, typed_last)
            own = person["first_name"]
            nicknames = {n.lower() for n in NICKNAMES.get(own, ())}
            assert typed_first.strip().lower() in nicknames or _one_letter_apart(
                typed_first, own
            ), (pid, typed_first, own)
            variations.add(typed_line1 != line1)
    assert checked >= 20
    assert variations == {True, False}


def test_square_writes_a_documented_birthday_only_for_fuzzy_people(run: Run) -> None:
    for pid, rows in run.square.items():
        for row in rows:
            assert bool(row["Birthday"]) == (pid in run.fuzzy)
    formats = {
        ("y" if m[1] else "") + ("Y" if m[4] else "")
        for rows in run.square.values()
        for row in rows
        if (m := re.fullmatch(_SQUARE_BIRTHDAY, row["Birthday"]))
    }
    assert formats == {"", "y", "Y"}  # MM-DD, YYYY-MM-DD, MM-DD-YYYY


def test_truth_gives_every_identifier_of_a_fuzzy_person_to_that_person(run: Run) -> None:
    for pid in run.fuzzy:
        for row in run.square[pid]:
            assert run.owner[("square_customers", row["Square Customer ID"])] == pid
            assert run.identifiers[("square_customer_id", row["Square Customer ID"])] == {pid}
            for value in _square_contacts(row):
                kind = "email" if "@" in value else "phone"
                assert run.identifiers[(kind, value)] == {pid}, value
        for row in run.shopify[pid]:
            assert run.identifiers[("shopify_customer_id", row["Customer ID"].lstrip("'"))] == {pid}
            for value in _shopify_contacts(row):
                kind = "email" if "@" in value else "phone"
                assert run.identifiers[(kind, value)] == {pid}, value
        for row in run.mailchimp[pid]:
            assert run.identifiers[("mailchimp_subscriber_id", row["EUID"])] == {pid}
            assert run.identifiers[("email", normalise_email(row["Email Address"]))] == {pid}
        emails = set(run.people[pid]["emails"].split(";"))
        for row in run.square[pid]:
            if row["Email Address"]:
                assert normalise_email(row["Email Address"]) in emails
        for row in run.mailchimp[pid]:
            assert normalise_email(row["Email Address"]) in emails


def test_a_fuzzy_first_name_never_reads_as_a_relatives() -> None:
    """Christopher's nickname is also Christine's, and dropping his last letter gives
    Christophe: with those relatives at his address he is never typed either way."""
    rng = random.Random(7)
    eager = FuzzyConfig(nickname_rate=0.5, first_name_typo_rate=0.5)
    alone = {typed_name(rng, eager, "Christopher", "Reyes", [])[0] for _ in range(600)}
    assert {"chris", "christophe"} <= {first.strip().lower() for first in alone}
    for _ in range(600):
        first, _ = typed_name(rng, eager, "Christopher", "Reyes", ["Christine", "Christophe"])
        first = first.strip().lower()
        assert first not in {"chris", "christophe"}
        assert _one_letter_apart(first, "christopher")


def test_every_street_suffix_abbreviation_is_shorter_than_the_word() -> None:
    assert all(len(short) < len(word) for word, short in STREET_SUFFIX_ABBREVIATIONS.items())


def test_without_fuzzy_people_the_files_are_those_of_a_run_without_the_option(
    tmp_path: Path,
) -> None:
    off = _generate(tmp_path / "off")
    none = _generate(tmp_path / "none", fuzzy=True, fuzzy_config=FuzzyConfig(share=0.0))
    for root_a, root_b in ((off.landing, none.landing), (off.truth, none.truth)):
        files = sorted(p.relative_to(root_a) for p in root_a.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(root_b) for p in root_b.rglob("*") if p.is_file())
        for rel in files:
            if rel.name != MARKER_NAME:  # it records the options the run was given
                assert (root_a / rel).read_bytes() == (root_b / rel).read_bytes(), rel
