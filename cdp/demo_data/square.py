"""Square: store sales (transactions and item details, one file pair per month) and the customer
directory a clerk fills in at the counter.

Many sales carry no customer at all (walk-ins, shoppers who decline), some profiles hold only a
phone or only an email, card swipes create name-only "instant profiles", and refunds appear as
negative `Refund` rows of the original transaction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cdp.demo_data.catalog import COUNTER_PHONE, PRODUCTS, STORES, Store
from cdp.demo_data.config import BehaviourRates
from cdp.demo_data.formats import (
    messy_email,
    phone_as,
    square_local,
    square_money,
    typed_phone,
    us_date,
    zone,
)
from cdp.demo_data.ids import IdFactory
from cdp.demo_data.people import Person
from cdp.demo_data.truth import GroundTruth
from cdp.demo_data.writers import FileLog, month_spans, write_csv

TRANSACTIONS_HEADER: tuple[str, ...] = (
    "Date", "Time", "Time Zone", "Gross Sales", "Discounts", "Service Charges", "Net Sales",
    "Gift Card Sales", "Tax", "Tip", "Partial Refunds", "Total Collected", "Source", "Card",
    "Card Entry Methods", "Cash", "Square Gift Card", "Other Tender", "Other Tender Type",
    "Tender Note", "Fees", "Net Total", "Transaction ID", "Payment ID", "Card Brand",
    "PAN Suffix", "Device Name", "Staff Name", "Staff ID", "Details", "Description",
    "Event Type", "Location", "Dining Option", "Customer ID", "Customer Name",
    "Customer Reference ID", "Device Nickname", "Third Party Fees", "Deposit ID",
    "Deposit Date", "Deposit Details", "Fee Percentage Rate", "Fee Fixed Rate", "Refund Reason",
    "Discount Name", "Transaction Status", "Cash App", "Order Reference ID", "Fulfillment Note",
    "Free Processing Applied", "Channel", "Unattributed Tips", "Table Info", "International Fee",
)  # fmt: skip
ITEMS_HEADER: tuple[str, ...] = (
    "Date", "Time", "Time Zone", "Category", "Item", "Qty", "Price Point Name", "SKU",
    "Modifiers Applied", "Gross Sales", "Discounts", "Net Sales", "Tax", "Transaction ID",
    "Payment ID", "Device Name", "Notes", "Details", "Event Type", "Location", "Dining Option",
    "Customer ID", "Customer Name", "Customer Reference ID", "Unit", "Count", "GTIN",
    "Itemization Type", "Commission", "Employee", "Fulfillment Note", "Channel", "Token",
    "Card Brand", "PAN Suffix",
)  # fmt: skip
CUSTOMERS_HEADER: tuple[str, ...] = (
    "Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname",
    "Company Name", "Street Address 1", "Street Address 2", "City", "State", "Postal Code",
    "Birthday", "Memo", "Square Customer ID", "Creation Source", "First Visit", "Last Visit",
    "Transaction Count", "Total Spend", "Email Subscription Status", "Instant Profile",
)  # fmt: skip
_TX_QUOTED_EMPTY = {"Other Tender Type", "Tender Note", "Details", "Description"}
TX_QUOTE_EMPTY = [h in _TX_QUOTED_EMPTY for h in TRANSACTIONS_HEADER]
ITEM_QUOTE_EMPTY = [h not in ("Date", "Time", "Qty", "Count") for h in ITEMS_HEADER]
_BRANDS = (("Visa", 52), ("MasterCard", 26), ("American Express", 14), ("Discover", 8))
_ENTRY = (("Contactless", 55), ("EMV", 38), ("Swiped", 4), ("Keyed", 3))


@dataclass(slots=True, eq=False)
class Profile:
    square_id: str
    person: Person
    first: str
    last: str
    email: str
    phone: str
    street: bool
    source: str
    instant: bool
    store: int
    transactions: int = 0
    spend: int = 0
    first_visit: datetime | None = None
    last_visit: datetime | None = None


@dataclass(slots=True, eq=False)
class StoreSale:
    when: datetime
    store: int
    tx_id: str
    payment_id: str
    lines: list[tuple[int, int]]
    discount: int
    card: tuple[str, str, str] | None
    """(brand, PAN suffix, entry method) for card payments, None for cash."""
    device: str
    staff: int
    profile: Profile | None
    person: Person | None
    refund: StoreSale | None = None
    """For `Refund` rows: the sale being refunded."""
    refund_lines: list[tuple[int, int]] = field(default_factory=list)
    deposit_id: str = ""

    @property
    def gross(self) -> int:
        return sum(PRODUCTS[i].price_cents * q for i, q in (self.refund_lines or self.lines))

    @property
    def event(self) -> str:
        return "Refund" if self.refund is not None else "Payment"


class SquareSim:
    def __init__(
        self, rng: random.Random, ids: IdFactory, rates: BehaviourRates, start: datetime,
        as_of: datetime, hard_cases: bool,
    ) -> None:  # fmt: skip
        self.rng = rng
        self.ids = ids
        self.rates = rates
        self.start = start
        self.as_of = as_of
        self.hard_cases = hard_cases
        self.profiles: list[Profile] = []
        self.sales: list[StoreSale] = []

    # -- simulation ----------------------------------------------------------------------
    def run(self, people: list[Person]) -> None:
        for p in people:
            if p.store_shopper:
                self._shopper(p)
        walk_ins = round(len(people) * self.rates.walk_in_per_person)
        for _ in range(walk_ins):
            store = self.rng.choices(range(len(STORES)), weights=(5, 4, 3))[0]
            self._sale(self._visit_time(store, self.start, self.as_of), store, None, None)

    def _visit_time(self, store: int, lo: datetime, hi: datetime) -> datetime:
        """A moment in opening hours (10:00–20:00 local) between `lo` and `hi`."""
        rng, tz = self.rng, zone(STORES[store].iana_tz)
        for _ in range(20):
            day = (lo + (hi - lo) * rng.random()).astimezone(tz)
            local = day.replace(hour=rng.randint(10, 19), minute=rng.randrange(60),
                                second=rng.randrange(60), microsecond=0)  # fmt: skip
            when = local.astimezone(UTC)
            if lo <= when < hi:
                return when
        return lo + (hi - lo) / 2

    def _shopper(self, p: Person) -> None:
        rng = self.rng
        store = p.home_store if p.home_store is not None else 0
        if p.signature:
            at: datetime = p.plan["store_at"]  # type: ignore[assignment]
            after: datetime = p.plan["click_at"] + timedelta(minutes=10)  # type: ignore[operator]
            targets = [at]
            if rng.random() < 0.5:
                targets.append(at + timedelta(days=rng.uniform(10, 60)))
            visits = []
            for target in targets:
                lo = max(target - timedelta(hours=6), after)
                hi = min(target + timedelta(hours=6), self.as_of)
                if lo < hi:
                    visits.append(self._visit_time(store, lo, hi))
            profile = self._profile(p, store, min(visits), phone_only=True)
            for when in sorted(visits):
                self._sale(when, store, profile, p, card=True)
            return
        n = 1 + int(rng.expovariate(0.45))
        visits = sorted(self._visit_time(store, self.start, self.as_of) for _ in range(n))
        gives_contact = rng.random() < 0.62
        pays_card = rng.random() < 0.75
        profile = self._profile(p, store, visits[0]) if gives_contact else None
        instant = None
        if pays_card and (profile is None or rng.random() < 0.25) and rng.random() < 0.35:
            instant = self._instant_profile(p, store, visits[0])
        for when in visits:
            card = pays_card if rng.random() < 0.9 else not pays_card
            attached = profile if profile is not None and rng.random() < 0.8 else None
            if attached is None and card and instant is not None:
                attached = instant
            self._sale(when, store, attached, p, card=card)

    def _profile(self, p: Person, store: int, when: datetime, phone_only: bool = False) -> Profile:
        """What the clerk typed: often a phone, sometimes an email, sometimes both."""
        rng = self.rng
        if phone_only:
            # The signature profile holds nothing but the phone, spelled the clerk's way.
            style = str(p.plan["square_phone_style"])
            return self._add_profile(p, store, when, "", "", "", phone_as(p.phone or "", style),
                                     "Point of Sale")  # fmt: skip
        r = rng.random()
        has_phone = p.phone is not None and (r < 0.8 or "shared_phone" in p.tags)
        has_email = not has_phone or r < 0.35 or r > 0.8
        email = p.email_at(when)
        if p.typo_source == "square" and p.typo_email:
            email = p.typo_email
        phone = typed_phone(rng, p.phone) if has_phone and p.phone else ""
        if self.hard_cases and p.counter_phone:
            phone = phone_as(COUNTER_PHONE, "paren")
        names = rng.random()
        first = p.first if names < 0.95 else ""
        last = p.last if names < 0.8 else ""
        if rng.random() < 0.05:
            first, last = first.lower(), last.lower()
        shown = messy_email(rng, email, upper=0.06, pad=0.08) if has_email else ""
        source = "Point of Sale" if rng.random() < 0.85 else "Directory"
        return self._add_profile(p, store, when, first, last, shown, phone, source)

    def _instant_profile(self, p: Person, store: int, when: datetime) -> Profile:
        profile = self._add_profile(p, store, when, p.first.upper(), p.last.upper(), "", "",
                                    "Instant Profile")  # fmt: skip
        profile.instant = True
        return profile

    def _add_profile(
        self, p: Person, store: int, when: datetime, first: str, last: str, email: str,
        phone: str, source: str,
    ) -> Profile:  # fmt: skip
        profile = Profile(self.ids.square_customer(), p, first, last, email, phone,
                          self.rng.random() < 0.15, source, False, store)  # fmt: skip
        self.profiles.append(profile)
        return profile

    def _sale(
        self, when: datetime, store: int, profile: Profile | None, person: Person | None,
        card: bool | None = None,
    ) -> None:  # fmt: skip
        rng = self.rng
        if card is None:
            card = rng.random() < 0.72
        lines = []
        for i in rng.sample(range(len(PRODUCTS)), rng.choice((1, 1, 1, 2, 2, 3))):
            lines.append((i, 1 if rng.random() < 0.85 else 2))
        gross = sum(PRODUCTS[i].price_cents * q for i, q in lines)
        discount = gross // 10 if rng.random() < 0.08 else 0
        brand = None
        if card:
            name = rng.choices([b for b, _ in _BRANDS], weights=[w for _, w in _BRANDS])[0]
            entry = rng.choices([e for e, _ in _ENTRY], weights=[w for _, w in _ENTRY])[0]
            brand = (name, f"{rng.randrange(10_000):04d}", entry)
        shop = STORES[store]
        sale = StoreSale(when, store, self.ids.square_payment(), self.ids.square_payment(), lines,
                         discount, brand, rng.choice(shop.devices), rng.randrange(len(shop.staff)),
                         profile, person)  # fmt: skip
        if card:
            sale.deposit_id = self.ids.base62(20)
        self.sales.append(sale)
        if profile is not None:
            total = self._totals(sale)[3]
            profile.transactions += 1
            profile.spend += total
            profile.first_visit = min(profile.first_visit or when, when)
            profile.last_visit = max(profile.last_visit or when, when)
        r = rng.random()
        if r < 0.05:
            later = self._visit_time(store, when + timedelta(days=1), when + timedelta(days=14))
            if later < self.as_of:
                part = lines if r < 0.03 else lines[:1]
                refund = StoreSale(
                    later, store, sale.tx_id, self.ids.square_payment(), lines, 0, brand,
                    rng.choice(shop.devices), rng.randrange(len(shop.staff)), profile, person,
                    refund=sale, refund_lines=part,
                )  # fmt: skip
                self.sales.append(refund)

    def _totals(self, sale: StoreSale) -> tuple[int, int, int, int]:
        """Signed (gross, discounts, tax, total collected) in cents as Square prints them:
        a sale has negative discounts; a refund negates everything."""
        gross = sale.gross
        original = sale.refund or sale
        discount = gross // 10 if original.discount else 0
        tax = (gross - discount) * STORES[sale.store].tax_bp // 10_000
        sign = -1 if sale.refund is not None else 1
        return sign * gross, -sign * discount, sign * tax, sign * (gross - discount + tax)

    # -- writing -------------------------------------------------------------------------
    def write(self, folder: Path, truth: GroundTruth, log: FileLog) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tx_by_month: dict[str, list[StoreSale]] = {}
        for sale in self.sales:
            local_day = sale.when.astimezone(zone(STORES[sale.store].iana_tz)).date()
            tx_by_month.setdefault(local_day.strftime("%Y-%m"), []).append(sale)
        first = self.start.astimezone(zone("America/Los_Angeles")).date()
        last = self.as_of.astimezone(zone("America/New_York")).date()
        for lo, hi in month_spans(first, last):
            sales = tx_by_month.get(lo.strftime("%Y-%m"), [])
            # Square lists the newest sale first.
            sales.sort(key=lambda s: (s.when, s.tx_id, s.event), reverse=True)
            self._write_month(folder, lo, hi, sales, truth, log)
        self._write_customers(folder, truth, log)

    def _write_month(
        self, folder: Path, lo: date, hi: date, sales: list[StoreSale], truth: GroundTruth,
        log: FileLog,
    ) -> None:  # fmt: skip
        tx_rows, item_rows = [], []
        for sale in sales:
            shop = STORES[sale.store]
            day, clock = square_local(sale.when, shop.iana_tz)
            gross, discount, tax, total = self._totals(sale)
            fees = -(abs(total) * 26 // 1000 + 10) if sale.card else 0
            if sale.refund is not None:
                fees = -fees if sale.card else 0
            profile = sale.profile
            customer_id = profile.square_id if profile else ""
            customer_name = (
                " ".join(x for x in (profile.first, profile.last) if x) if profile else ""
            )
            if profile is not None:
                truth.record("square_transactions", sale.tx_id, profile.person.pid)
            tx_rows.append(
                self._tx_row(sale, shop, day, clock, gross, discount, tax, total, fees,
                             customer_id, customer_name)
            )  # fmt: skip
            for i, qty in sale.refund_lines or sale.lines:
                item_rows.append(self._item_row(sale, shop, day, clock, i, qty, customer_id,
                                                customer_name))  # fmt: skip
        span = f"{lo:%Y-%m-%d}-{hi:%Y-%m-%d}"
        path = folder / f"transactions-{span}.csv"
        log.add(path, write_csv(path, TRANSACTIONS_HEADER, tx_rows, "square", TX_QUOTE_EMPTY))
        path = folder / f"items-{span}.csv"
        log.add(path, write_csv(path, ITEMS_HEADER, item_rows, "square", ITEM_QUOTE_EMPTY))

    def _tx_row(
        self, sale: StoreSale, shop: Store, day: str, clock: str, gross: int, discount: int,
        tax: int, total: int, fees: int, customer_id: str, customer_name: str,
    ) -> list[str]:  # fmt: skip
        m = square_money
        card = sale.card
        staff_name, staff_id = shop.staff[sale.staff]
        refund = sale.refund is not None
        partial = refund and len(sale.refund_lines) < len(sale.refund.lines)  # type: ignore[union-attr]
        description = ", ".join(
            PRODUCTS[i].title + (f" x {q}" if q > 1 else "")
            for i, q in sale.refund_lines or sale.lines
        )
        deposit_date = ""
        if sale.deposit_id:
            deposit_date = (sale.when + timedelta(days=1)).astimezone(zone(shop.iana_tz)).strftime(
                "%Y-%m-%d")  # fmt: skip
        return [
            day, clock, shop.square_tz, m(gross), m(discount), m(0), m(gross + discount), m(0),
            m(tax), m(0),
            m(total) if partial else m(0), m(total), "Point of Sale",
            m(total) if card else m(0), card[2] if card else "N/A",
            m(0) if card else m(total), m(0), m(0), "", "", m(fees), m(total + fees),
            sale.tx_id, sale.payment_id, card[0] if card else "", card[1] if card else "",
            sale.device, staff_name, staff_id,
            f"https://app.squareup.com/dashboard/sales/transactions/{sale.tx_id}/by-unit/{shop.location_id}",
            description, sale.event, shop.name, "", customer_id, customer_name, "", sale.device,
            m(0), sale.deposit_id, deposit_date, "", "2.6" if card else "",
            m(10) if card else "", "Returned goods" if refund else "",
            "10% Staff Pick" if sale.discount and not refund else "", "Complete", m(0), "", "",
            m(0), shop.name, m(0), "", m(0),
        ]  # fmt: skip

    def _item_row(
        self, sale: StoreSale, shop: Store, day: str, clock: str, i: int, qty: int,
        customer_id: str, customer_name: str,
    ) -> list[str]:  # fmt: skip
        prod = PRODUCTS[i]
        sign = -1 if sale.refund is not None else 1
        gross = sign * prod.price_cents * qty
        discount = -sign * (abs(gross) // 10) if (sale.refund or sale).discount else 0
        net = gross + discount
        tax = net * shop.tax_bp // 10_000
        card = sale.card
        return [
            day, clock, shop.square_tz, prod.product_type, prod.title, f"{sign * qty}.0",
            "Regular", prod.sku, "", square_money(gross), square_money(discount),
            square_money(net), square_money(tax), sale.tx_id, sale.payment_id, sale.device, "",
            f"https://app.squareup.com/dashboard/sales/transactions/{sale.tx_id}/by-unit/{shop.location_id}",
            sale.event, shop.name, "", customer_id, customer_name, "", "ea", str(sign * qty), "",
            "Physical Good", square_money(0), "", "", shop.name, prod.square_token,
            card[0] if card else "", card[1] if card else "",
        ]  # fmt: skip

    def _write_customers(self, folder: Path, truth: GroundTruth, log: FileLog) -> None:
        rows = []
        for prof in sorted(self.profiles, key=lambda x: x.square_id):
            p = prof.person
            shop = STORES[prof.store]
            pid = p.pid
            truth.record("square_customers", prof.square_id, pid)
            truth.identifier("square_customer_id", prof.square_id, pid)
            truth.email(prof.email, pid)
            is_counter = prof.phone == phone_as(COUNTER_PHONE, "paren") and p.counter_phone
            truth.phone(prof.phone, None if is_counter else pid)
            visited = prof.first_visit or self.as_of
            subscribed = ""
            if prof.email:
                subscribed = "Subscribed" if p.subscriber else self.rng.choice(("", "Unsubscribed"))
            rows.append(
                ["", prof.first, prof.last, prof.email, prof.phone, "", "",
                 p.address1 if prof.street else "", p.address2 if prof.street else "",
                 p.city.name if prof.street else "", p.city.state_code if prof.street else "",
                 p.zip if prof.street else "", "", "", prof.square_id, prof.source,
                 us_date(visited, shop.iana_tz), us_date(prof.last_visit or visited, shop.iana_tz),
                 str(prof.transactions), square_money(prof.spend), subscribed,
                 "Yes" if prof.instant else "No"]
            )  # fmt: skip
        day = self.as_of.astimezone(zone("America/New_York")).strftime("%Y-%m-%d")
        path = folder / f"customers-{day}.csv"
        log.add(path, write_csv(path, CUSTOMERS_HEADER, rows))
