"""Tests of the demo data generator against the source-format contract (docs/sources.md) and its
own ground truth: determinism, headers, JSON shapes, the signature story and the hard cases."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from cdp.core.errors import CdpError
from cdp.demo_data import NoiseConfig, generate_demo_data
from cdp.demo_data.generator import default_as_of
from cdp.demo_data.marker import MARKER_NAME

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sources.md"
AS_OF = datetime(2026, 3, 15, 12, tzinfo=UTC)
PEOPLE = 200
SQUARE_ZONES = {
    "Eastern Time (US & Canada)": "America/New_York",
    "Central Time (US & Canada)": "America/Chicago",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
}


def _run(base: Path, hard_cases: bool = False, seed: int = 11, **kw: object) -> tuple:
    summary = generate_demo_data(
        base / "landing",
        base / "truth",
        people=PEOPLE,
        seed=seed,
        as_of=AS_OF,
        hard_cases=hard_cases,
        **kw,
    )
    return summary, base / "landing", base / "truth"


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    return _run(tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    return _run(tmp_path_factory.mktemp("hard"), hard_cases=True)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def _events(landing: Path) -> list[dict]:
    events = []
    for path in sorted((landing / "shopify").glob("web_events_*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            events.extend(json.loads(line) for line in fh)
    return events


def _orders(landing: Path) -> list[dict]:
    orders = []
    for path in sorted((landing / "shopify").glob("orders_*.json")):
        orders.extend(json.loads(path.read_text(encoding="utf-8"))["orders"])
    return orders


def _members(landing: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted((landing / "mailchimp").glob("*_members_export_*.csv")):
        rows.extend(_csv_rows(path))
    return rows


def _e164(raw: str) -> str:
    return phonenumbers.format_number(
        phonenumbers.parse(raw, "US"), phonenumbers.PhoneNumberFormat.E164
    )


def _doc_headers() -> dict[str, list[str]]:
    """Header lists of docs/sources.md, keyed by the file they describe."""
    text = DOCS.read_text(encoding="utf-8")
    spans = [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", text)]
    lists = [[h.strip() for h in s.split(",")] for s in spans if s.count(",") >= 8]
    found: dict[str, list[str]] = {}
    for headers in lists:
        if headers[:2] == ["Email Address", "First Name"]:
            kind = (
                "unsubscribed"
                if "UNSUB_TIME" in headers
                else "cleaned"
                if "CLEAN_TIME" in headers
                else "subscribed"
            )
            found[f"mailchimp_{kind}"] = headers
        elif headers[:2] == ["Customer ID", "First Name"]:
            found["shopify_customers"] = headers
        elif headers[:4] == ["Date", "Time", "Time Zone", "Gross Sales"]:
            found["square_transactions"] = headers
        elif headers[:4] == ["Date", "Time", "Time Zone", "Category"]:
            found["square_items"] = headers
        elif headers[:2] == ["Reference ID", "First Name"]:
            found["square_customers"] = headers
    return found


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_and_as_of_give_identical_bytes(tmp_path: Path) -> None:
    _, landing_a, truth_a = _run(tmp_path / "a")
    _, landing_b, truth_b = _run(tmp_path / "b")
    for root_a, root_b in ((landing_a, landing_b), (truth_a, truth_b)):
        files_a = sorted(p.relative_to(root_a) for p in root_a.rglob("*") if p.is_file())
        files_b = sorted(p.relative_to(root_b) for p in root_b.rglob("*") if p.is_file())
        assert files_a == files_b
        for rel in files_a:
            assert (root_a / rel).read_bytes() == (root_b / rel).read_bytes(), rel


def test_another_seed_gives_other_data(tmp_path: Path, plain: tuple) -> None:
    _, landing, _ = _run(tmp_path, seed=12)
    ours = sorted((landing / "shopify").glob("customers_export*.csv"))[0].read_bytes()
    theirs = sorted((plain[1] / "shopify").glob("customers_export*.csv"))[0].read_bytes()
    assert ours != theirs


def test_rerun_removes_stale_files(tmp_path: Path) -> None:
    # An earlier run ending a year before: its months are not this run's months.
    summary = generate_demo_data(
        tmp_path / "landing",
        tmp_path / "truth",
        people=20,
        seed=11,
        as_of=AS_OF.replace(year=AS_OF.year - 1),
    )
    earlier = {f.path for f in summary.files if f.path.is_relative_to(tmp_path / "landing")}
    _, landing, _ = _run(tmp_path)
    now = {p for p in landing.rglob("*") if p.is_file() and p.name != MARKER_NAME}
    stale = earlier - now
    assert stale and not any(p.exists() for p in stale)


def test_refuses_a_folder_holding_real_exports_and_deletes_nothing(tmp_path: Path) -> None:
    # A real Shopify export carries the very name the generator writes.
    real = tmp_path / "landing" / "shopify" / "customers_export.csv"
    real.parent.mkdir(parents=True)
    real.write_text("Customer ID,First Name\n'1001,Ada\n", encoding="utf-8")
    other = tmp_path / "landing" / "square" / "customers-2025-01-01.csv"
    other.parent.mkdir(parents=True)
    other.write_text("Square Customer ID\nABC\n", encoding="utf-8")
    with pytest.raises(CdpError, match="did not write.*customers_export.csv.*Nothing was deleted"):
        _run(tmp_path)
    assert real.read_text(encoding="utf-8") == "Customer ID,First Name\n'1001,Ada\n"
    assert other.exists()
    assert sorted(p.name for p in (tmp_path / "landing").rglob("*") if p.is_file()) == [
        "customers-2025-01-01.csv",
        "customers_export.csv",
    ]


def test_refuses_earlier_demo_output_someone_replaced(tmp_path: Path) -> None:
    _, landing, _ = _run(tmp_path)
    # Someone saved their real customer export over the demo file of the same name.
    replaced = next((landing / "shopify").glob("customers_export*.csv"))
    replaced.write_text("Customer ID,First Name\n'7,Real Person\n", encoding="utf-8")
    months = sorted((landing / "square").glob("transactions-*.csv"))
    with pytest.raises(CdpError, match="1 file\\(s\\) that `cdp demo-data` did not write"):
        _run(tmp_path)
    assert "Real Person" in replaced.read_text(encoding="utf-8")
    assert all(p.exists() for p in months)


def test_a_landing_folder_emptied_by_hand_gets_new_demo_data(tmp_path: Path) -> None:
    _run(tmp_path)
    shutil.rmtree(tmp_path / "landing")  # the ground truth beside it is still the demo's own
    summary, landing, truth = _run(tmp_path)
    assert (truth / "people.csv").exists() and summary.files


def test_spool_files_of_a_crashed_run_are_cleaned_up(tmp_path: Path) -> None:
    _run(tmp_path)
    spool = tmp_path / "landing" / "shopify" / ".web_events_2026-01.tmp"
    spool.write_text('{"partial":', encoding="utf-8")
    _run(tmp_path)
    assert not spool.exists()


def test_default_as_of_is_the_current_hour() -> None:
    now = default_as_of()
    assert now.tzinfo is not None and now.minute == 0 and now.second == 0


# -- formats ----------------------------------------------------------------------------------


def test_every_csv_header_equals_the_documented_header(plain: tuple) -> None:
    _, landing, _ = plain
    documented = _doc_headers()
    expected = {
        "mailchimp/subscribed_members_export_*.csv": "mailchimp_subscribed",
        "mailchimp/unsubscribed_members_export_*.csv": "mailchimp_unsubscribed",
        "mailchimp/cleaned_members_export_*.csv": "mailchimp_cleaned",
        "shopify/customers_export*.csv": "shopify_customers",
        "square/transactions-*.csv": "square_transactions",
        "square/items-*.csv": "square_items",
        "square/customers-*.csv": "square_customers",
    }
    assert set(expected.values()) <= set(documented)
    seen = 0
    for pattern, key in expected.items():
        paths = sorted(landing.glob(pattern))
        assert paths, pattern
        for path in paths:
            assert _header(path) == documented[key], path.name
            seen += 1
    assert seen == len(list(landing.rglob("*.csv")))


def test_file_names_and_splitting(plain: tuple) -> None:
    summary, landing, _ = plain
    mailchimp = landing / "mailchimp"
    suffixes = {p.name.rsplit("_", 1)[-1] for p in mailchimp.glob("*_members_export_*.csv")}
    assert len(suffixes) == 1 and re.fullmatch(r"[0-9a-f]{10}\.csv", suffixes.pop())
    campaigns = {p.stem.split("_")[-1] for p in mailchimp.glob("sent_to_*.json")}
    assert len(campaigns) > 20
    for stem in ("email_activity", "unsubscribed"):
        assert {p.stem.split("_")[-1] for p in mailchimp.glob(f"{stem}_*.json")} == campaigns
    pages = sorted((landing / "shopify").glob("orders_*.json"))
    assert [p.name for p in pages] == [f"orders_{i:04d}.json" for i in range(1, len(pages) + 1)]
    assert all(len(json.loads(p.read_text())["orders"]) <= 250 for p in pages)
    for path in (landing / "shopify").glob("web_events_*.jsonl"):
        assert re.fullmatch(r"web_events_\d{4}-\d{2}\.jsonl", path.name)
    months = sorted((landing / "square").glob("transactions-*.csv"))
    assert len(months) >= 18
    for path in months:
        assert re.fullmatch(r"transactions-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv", path.name)
        assert (landing / "square" / path.name.replace("transactions-", "items-")).exists()
    assert len(list((landing / "square").glob("customers-*.csv"))) == 1
    # No spool file is left; the one hidden file is the demo marker (listing what was written).
    assert [p.name for p in landing.rglob(".*")] == [MARKER_NAME]
    # The summary lists every file written, with its record count.
    listed = {f.path: f.records for f in summary.files}
    exports = {p for p in landing.rglob("*") if p.is_file() and p.name != MARKER_NAME}
    truth = {p for p in summary.truth_dir.iterdir() if p.is_file() and p.name != MARKER_NAME}
    assert set(listed) == exports | truth
    customers = next((landing / "shopify").glob("customers_export*.csv"))
    assert listed[customers] == len(_csv_rows(customers))
    assert summary.people == PEOPLE


def test_json_files_have_documented_top_level_keys(plain: tuple) -> None:
    _, landing, _ = plain
    for endpoint, key in (
        ("sent_to", "sent_to"),
        ("email_activity", "emails"),
        ("unsubscribed", "unsubscribes"),
    ):
        for path in (landing / "mailchimp").glob(f"{endpoint}_*.json"):
            body = json.loads(path.read_text(encoding="utf-8"))
            assert set(body) == {key, "campaign_id", "total_items", "_links"}
            assert body["total_items"] == len(body[key])
            assert path.stem.endswith(body["campaign_id"])
    for path in (landing / "shopify").glob("orders_*.json"):
        assert set(json.loads(path.read_text(encoding="utf-8"))) == {"orders"}
    products = json.loads((landing / "shopify" / "products.json").read_text(encoding="utf-8"))
    assert set(products) == {"products"}
    assert all(p["product_type"] and p["variants"] for p in products["products"])
    events = _events(landing)
    assert events
    for event in events:
        assert {
            "id",
            "name",
            "timestamp",
            "clientId",
            "customerId",
            "seq",
            "type",
            "context",
            "data",
        } <= set(event)
        assert event["context"]["document"]["location"]["href"].startswith("https://")
        assert event["context"]["navigator"]["userAgent"]
        assert set(event["context"]["window"]["screen"]) == {"width", "height"}
    names = {e["name"] for e in events}
    assert {
        "page_viewed",
        "product_viewed",
        "product_added_to_cart",
        "checkout_started",
        "checkout_completed",
    } <= names
    for event in events:
        if event["name"] == "product_viewed":
            assert event["data"]["productVariant"]["product"]["id"]
        if event["name"] == "product_added_to_cart":
            assert event["data"]["cartLine"]["merchandise"]["product"]["id"]


def test_orders_have_nested_customers_cancellations_and_refunds(plain: tuple) -> None:
    _, landing, _ = plain
    orders = _orders(landing)
    statuses = {o["financial_status"] for o in orders}
    assert {"paid", "refunded", "partially_refunded", "voided"} <= statuses
    guests = [o for o in orders if set(o["customer"]) == {"email"}]
    assert guests and len(guests) < len(orders) / 2
    full = [o for o in orders if "id" in o["customer"]]
    assert all("email_marketing_consent" in o["customer"] for o in full)
    assert any(o["cancelled_at"] and o["cancel_reason"] for o in orders)
    refunds = [r for o in orders for r in o["refunds"]]
    assert refunds
    for refund in refunds:  # a failed attempt may precede it, one refund transaction succeeds
        done = [t for t in refund["transactions"] if t["status"] == "success"]
        assert len(done) == 1 and done[0]["kind"] == "refund" and float(done[0]["amount"]) > 0
    for o in orders:
        assert re.fullmatch(r"\d+\.\d{2}", o["total_price"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d", o["created_at"])
        assert all("product_type" not in line for line in o["line_items"])
    completed = {
        e["data"]["checkout"]["token"]
        for e in _events(landing)
        if e["name"] == "checkout_completed"
    }
    assert completed <= {o["checkout_token"] for o in orders}


def test_square_money_dates_and_customers(plain: tuple) -> None:
    _, landing, _ = plain
    rows = [
        r for p in sorted((landing / "square").glob("transactions-*.csv")) for r in _csv_rows(p)
    ]
    assert {r["Event Type"] for r in rows} == {"Payment", "Refund"}
    money = re.compile(r"-?\$\d{1,3}(,\d{3})*\.\d{2}")
    assert all(money.fullmatch(r["Total Collected"]) for r in rows)
    assert any(r["Total Collected"].startswith("-$") for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["Date"]) for r in rows)
    assert all(re.fullmatch(r"\d{2}:\d{2}:\d{2}", r["Time"]) for r in rows)
    assert {r["Time Zone"] for r in rows} <= {
        "Eastern Time (US & Canada)",
        "Central Time (US & Canada)",
        "Pacific Time (US & Canada)",
    }
    with_customer = [r for r in rows if r["Customer ID"]]
    assert 0 < len(with_customer) < len(rows) * 0.8  # many store sales carry no customer
    directory = _csv_rows(next((landing / "square").glob("customers-*.csv")))
    ids = {r["Square Customer ID"] for r in directory}
    assert {r["Customer ID"] for r in with_customer} <= ids
    assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", r["First Visit"]) for r in directory)


# -- ground truth -----------------------------------------------------------------------------


def _identifier_owners(truth: Path) -> dict[tuple[str, str], set[str]]:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _csv_rows(truth / "identifiers.csv"):
        owners[(row["identifier_type"], row["identifier_value"])].add(row["true_person_id"])
    return owners


def test_without_hard_cases_no_identifier_belongs_to_two_people(plain: tuple) -> None:
    owners = _identifier_owners(plain[2])
    assert owners
    assert all(len(p) == 1 and "" not in p for p in owners.values())


def test_hard_cases_make_people_share_identifiers(hard: tuple) -> None:
    _, landing, truth = hard
    owners = _identifier_owners(truth)
    shared = {k for k, v in owners.items() if len(v - {""}) > 1}
    assert shared
    assert {kind for kind, _ in shared} & {"phone", "anonymous_id"}
    tags = {t for r in _csv_rows(truth / "people.csv") for t in r["tags"].split(";") if t}
    assert {"family", "email_change", "typo_email", "same_name"} <= tags


def test_counter_phone_belongs_to_no_one(tmp_path: Path) -> None:
    _, landing, truth = _run(tmp_path, hard_cases=True, noise=NoiseConfig(counter_phone_rate=1.0))
    owners = _identifier_owners(truth)
    counter = owners[("phone", "+12129417730")]
    assert counter == {""}
    directory = _csv_rows(next((landing / "square").glob("customers-*.csv")))
    assert sum(r["Phone Number"] == "(212) 941-7730" for r in directory) >= 2


def test_truth_covers_every_record_and_identifier(plain: tuple) -> None:
    _, landing, truth = plain
    people = {r["true_person_id"] for r in _csv_rows(truth / "people.csv")}
    assert len(people) == PEOPLE
    records: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _csv_rows(truth / "records.csv"):
        assert row["true_person_id"] in people
        records[row["source_table"]][row["record_key"]] = row["true_person_id"]
    members = _members(landing)
    assert set(records["mailchimp_members"]) == {m["EUID"] for m in members}
    assert set(records["shopify_orders"]) == {str(o["id"]) for o in _orders(landing)}
    events = _events(landing)
    assert set(records["shopify_web_events"]) == {e["id"] for e in events}
    customers = _csv_rows(next((landing / "shopify").glob("customers_export*.csv")))
    assert set(records["shopify_customers"]) == {c["Customer ID"].lstrip("'") for c in customers}
    directory = _csv_rows(next((landing / "square").glob("customers-*.csv")))
    assert set(records["square_customers"]) == {r["Square Customer ID"] for r in directory}
    sales = [r for p in (landing / "square").glob("transactions-*.csv") for r in _csv_rows(p)]
    assert set(records["square_transactions"]) == {
        s["Transaction ID"] for s in sales if s["Customer ID"]
    }
    owners = _identifier_owners(truth)
    for m in members:
        pid = records["mailchimp_members"][m["EUID"]]
        assert owners[("email", m["Email Address"].strip().lower())] == {pid}
        assert owners[("mailchimp_subscriber_id", m["EUID"])] == {pid}
        if m["Phone Number"]:
            assert owners[("phone", _e164(m["Phone Number"]))] == {pid}
    for e in events:
        assert owners[("anonymous_id", e["clientId"])] == {records["shopify_web_events"][e["id"]]}
    for r in directory:
        if r["Phone Number"]:
            assert ("phone", _e164(r["Phone Number"])) in owners
        if r["Email Address"]:
            assert ("email", r["Email Address"].strip().lower()) in owners


def test_shopify_identifiers_are_in_the_truth(plain: tuple) -> None:
    _, landing, truth = plain
    owners = _identifier_owners(truth)
    for c in _csv_rows(next((landing / "shopify").glob("customers_export*.csv"))):
        assert ("shopify_customer_id", c["Customer ID"].lstrip("'")) in owners
        assert ("email", c["Email"].strip().lower()) in owners
        for phone in (c["Phone"], c["Default Address Phone"]):
            if phone:
                assert ("phone", _e164(phone.lstrip("'"))) in owners
    for o in _orders(landing):
        assert ("email", o["email"].strip().lower()) in owners
        if "id" in o["customer"]:
            assert ("shopify_customer_id", str(o["customer"]["id"])) in owners
        for phone in (o["phone"], o["billing_address"]["phone"]):
            if phone:
                assert ("phone", _e164(phone)) in owners
    for e in _events(landing):
        if e["customerId"]:
            assert ("shopify_customer_id", e["customerId"]) in owners
        checkout = e["data"].get("checkout")
        if checkout and checkout["email"]:
            assert ("email", checkout["email"].strip().lower()) in owners
        if checkout and checkout["phone"]:
            assert ("phone", _e164(checkout["phone"])) in owners


def test_mailchimp_lifecycle_matches_reports(plain: tuple) -> None:
    _, landing, _ = plain
    activity: dict[tuple[str, str], list[dict]] = defaultdict(list)
    unsubscribed: set[tuple[str, str]] = set()
    for path in (landing / "mailchimp").glob("email_activity_*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        for entry in body["emails"]:
            activity[(body["campaign_id"], entry["email_address"])] += entry["activity"]
    for path in (landing / "mailchimp").glob("unsubscribed_*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        unsubscribed |= {(body["campaign_id"], u["email_address"]) for u in body["unsubscribes"]}
    actions = [a for acts in activity.values() for a in acts]
    assert {a.get("type") for a in actions if a["action"] == "bounce"} == {"hard", "soft"}
    clicks = [a["url"] for a in actions if a["action"] == "click"]
    assert clicks and all("utm_source=mailchimp" in u and "mc_eid=" in u for u in clicks)
    cleaned = _csv_rows(next((landing / "mailchimp").glob("cleaned_members_export_*.csv")))
    assert cleaned
    for m in cleaned:
        acts = activity[(m["CLEAN_CAMPAIGN_ID"], m["Email Address"])]
        assert any(a["action"] == "bounce" and a["type"] == "hard" for a in acts)
    gone = _csv_rows(next((landing / "mailchimp").glob("unsubscribed_members_export_*.csv")))
    assert gone and all(m["UNSUB_TIME"] and m["UNSUB_REASON"] for m in gone)
    for m in gone:
        assert (m["UNSUB_CAMPAIGN_ID"], m["Email Address"]) in unsubscribed


def test_phones_are_valid_and_not_fiction(plain: tuple) -> None:
    for row in _csv_rows(plain[2] / "people.csv"):
        for phone in filter(None, row["phones"].split(";")):
            parsed = phonenumbers.parse(phone, "US")
            assert phonenumbers.is_valid_number(parsed)
            assert phone[5:8] != "555"


# -- the signature story ----------------------------------------------------------------------


def test_signature_story_is_one_consistent_person(plain: tuple) -> None:
    _, landing, truth = plain
    signature = [r for r in _csv_rows(truth / "people.csv") if "signature" in r["tags"]]
    assert signature
    records: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _csv_rows(truth / "records.csv"):
        records[row["source_table"]][row["record_key"]] = row["true_person_id"]
    events = _events(landing)
    for person in signature:
        pid, email, phone = person["true_person_id"], person["emails"], person["phones"]
        # Mailchimp member row: email E and phone P.
        member = next(m for m in _members(landing) if m["Email Address"].strip().lower() == email)
        assert _e164(member["Phone Number"]) == phone
        euid = member["EUID"]
        assert records["mailchimp_members"][euid] == pid
        # On a phone: an abandoned checkout typing E.
        started = [
            e
            for e in events
            if e["name"] == "checkout_started"
            and (e["data"]["checkout"]["email"] or "").strip().lower() == email
        ]
        assert started
        phone_client = started[0]["clientId"]
        assert "Mobile" in started[0]["context"]["navigator"]["userAgent"]
        assert started[0]["customerId"] is None
        completed = {
            e["data"]["checkout"]["token"] for e in events if e["name"] == "checkout_completed"
        }
        assert started[0]["data"]["checkout"]["token"] not in completed
        phone_events = [e for e in events if e["clientId"] == phone_client]
        assert any(e["name"] == "product_viewed" for e in phone_events)
        # On a laptop: the campaign click with mc_eid = EUID, also in email-activity.
        clicks = [
            e
            for e in events
            if e["name"] == "page_viewed"
            and f"mc_eid={euid}" in e["context"]["document"]["location"]["href"]
        ]
        assert clicks
        laptop_client = clicks[0]["clientId"]
        assert laptop_client != phone_client
        assert "Mobile" not in clicks[0]["context"]["navigator"]["userAgent"]
        href = clicks[0]["context"]["document"]["location"]["href"]
        assert "utm_source=mailchimp" in href and "mc_cid=" in href
        activity_urls = []
        for path in (landing / "mailchimp").glob("email_activity_*.json"):
            for entry in json.loads(path.read_text(encoding="utf-8"))["emails"]:
                if entry["email_address"].strip().lower() == email:
                    activity_urls += [a["url"] for a in entry["activity"] if a["action"] == "click"]
        assert href in activity_urls
        assert started[0]["timestamp"] < clicks[0]["timestamp"]
        for event in phone_events + [e for e in events if e["clientId"] == laptop_client]:
            assert records["shopify_web_events"][event["id"]] == pid
        # In the store: a profile with only P, spelled differently from the member row.
        directory = _csv_rows(next((landing / "square").glob("customers-*.csv")))
        profile = next(
            r for r in directory if r["Phone Number"] and _e164(r["Phone Number"]) == phone
        )
        assert profile["Phone Number"] != member["Phone Number"]
        assert not profile["Email Address"]
        assert records["square_customers"][profile["Square Customer ID"]] == pid
        sales = [
            r
            for p in (landing / "square").glob("transactions-*.csv")
            for r in _csv_rows(p)
            if r["Customer ID"] == profile["Square Customer ID"]
        ]
        assert sales and all(
            records["square_transactions"][s["Transaction ID"]] == pid for s in sales
        )
        click_at = datetime.fromisoformat(clicks[0]["timestamp"].replace("Z", "+00:00"))
        for sale in sales:
            local = datetime.fromisoformat(f"{sale['Date']}T{sale['Time']}")
            at = local.replace(tzinfo=ZoneInfo(SQUARE_ZONES[sale["Time Zone"]]))
            assert at > click_at


# -- mess ---------------------------------------------------------------------------------------


def test_ordinary_mess_is_present(plain: tuple) -> None:
    _, landing, _ = plain
    emails = [
        c["Email"] for c in _csv_rows(next((landing / "shopify").glob("customers_export*.csv")))
    ]
    emails += [
        r["Email Address"] for r in _csv_rows(next((landing / "square").glob("customers-*.csv")))
    ]
    emails += [
        e["data"]["checkout"]["email"] or ""
        for e in _events(landing)
        if e["name"] == "checkout_started"
    ]
    emails = [e for e in emails if e]
    assert any(e != e.strip() for e in emails)
    assert any(e.strip() != e.strip().lower() for e in emails)
    phones = [m["Phone Number"] for m in _members(landing)]
    phones += [
        r["Phone Number"] for r in _csv_rows(next((landing / "square").glob("customers-*.csv")))
    ]
    phones = [p for p in phones if p]
    styles = {
        "paren": r"\(\d{3}\) \d{3}-\d{4}",
        "dots": r"\d{3}\.\d{3}\.\d{4}",
        "intl": r"\+1 \d{3}-\d{3}-\d{4}",
        "digits": r"\d{10}",
        "one": r"1-\d{3}-\d{3}-\d{4}",
    }
    found = {name for name, rx in styles.items() if any(re.fullmatch(rx, p) for p in phones)}
    assert len(found) >= 4
    customers = _csv_rows(next((landing / "shopify").glob("customers_export*.csv")))
    assert all(c["Customer ID"].startswith("'") for c in customers)
    assert all(c["Phone"].startswith("'+1") for c in customers if c["Phone"])


def test_some_checkouts_were_abandoned_in_the_last_day(plain: tuple) -> None:
    events = _events(plain[1])
    completed = {
        e["data"]["checkout"]["token"] for e in events if e["name"] == "checkout_completed"
    }
    cutoff = (AS_OF - timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S")
    recent = [
        e
        for e in events
        if e["name"] == "checkout_started"
        and e["timestamp"] >= cutoff
        and e["data"]["checkout"]["token"] not in completed
    ]
    assert recent
    assert all(e["timestamp"] < AS_OF.strftime("%Y-%m-%dT%H:%M:%S") for e in events)


# Runs `cdp demo-data` with Faker unimportable (None in sys.modules blocks the import).
_WITHOUT_FAKER = """
import sys
sys.modules["faker"] = None
sys.argv = ["cdp", "demo-data", "--people", "5"]
from cdp.cli.main import main
main()
"""


def test_demo_data_without_faker_says_which_extra_to_install(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_FAKER],
        capture_output=True,
        text=True,
        env={**os.environ, "CDP_LANDING_DIR": str(tmp_path / "landing"), "COLUMNS": "200"},
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and "pip install 'cdp[demo]'" in lines[0], result.stdout
    assert not (tmp_path / "landing").exists()
