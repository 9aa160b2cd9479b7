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
from cdp.demo_data.people import FuzzyLook, Person
from cdp.demo_data.truth import GroundTruth
from cdp.demo_data.writers import FileLog, in_header_order, month_spans, write_csv
from ingestion.sources import (
    SQUARE_CUSTOMER_HEADERS,
    SQUARE_ITEM_HEADERS,
    SQUARE_TRANSACTION_HEADERS,
)

# Today's transactions and item details exports: the loader's own lists (ingestion.sources).
TRANSACTIONS_HEADER: tuple[str, ...] = SQUARE_TRANSACTION_HEADERS
ITEMS_HEADER: tuple[str, ...] = SQUARE_ITEM_HEADERS
# Today's customers export: the loader's own list (ingestion.sources).
CUSTOMERS_HEADER: tuple[str, ...] = SQUARE_CUSTOMER_HEADERS
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
    address: tuple[str, str] | None = None
    """Street Address 1 and 2 as typed, when not the person's own spelling (fuzzy people)."""
    birthday: str = ""


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
        self,
        rng: random.Random,
        ids: IdFactory,
        rates: BehaviourRates,
        start: datetime,
        as_of: datetime,
        hard_cases: bool,
    ) -> None:
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
            local = day.replace(
                hour=rng.randint(10, 19),
                minute=rng.randrange(60),
                second=rng.randrange(60),
                microsecond=0,
            )
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
        # A fuzzy person always leaves a profile: it is the record only fuzzy matching can link.
        gives_contact = rng.random() < 0.62 or p.fuzzy is not None
        pays_card = rng.random() < 0.75
        profile = self._profile(p, store, visits[0]) if gives_contact else None
        instant = None
        # A fuzzy person's card sales go to their profile: a card's name-only instant profile
        # of theirs could be linked by nothing.
        if (
            p.fuzzy is None
            and pays_card
            and (profile is None or rng.random() < 0.25)
            and rng.random() < 0.35
        ):
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
            return self._add_profile(
                p, store, when, "", "", "", phone_as(p.phone or "", style), "Point of Sale"
            )
        if p.fuzzy is not None:
            return self._fuzzy_profile(p, p.fuzzy, store, when)
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

    def _fuzzy_profile(self, p: Person, look: FuzzyLook, store: int, when: datetime) -> Profile:
        """A fuzzy person at the till (`fuzzy.py`): another email or none, the mistyped phone,
        the name, address and birthday as given there."""
        first, last = look.square_name
        profile = self._add_profile(
            p, store, when, first, last, look.square_email, look.square_phone, "Point of Sale"
        )
        profile.street, profile.address = True, look.square_address
        profile.birthday = look.square_birthday
        return profile

    def _instant_profile(self, p: Person, store: int, when: datetime) -> Profile:
        profile = self._add_profile(
            p, store, when, p.first.upper(), p.last.upper(), "", "", "Instant Profile"
        )
        profile.instant = True
        return profile

    def _add_profile(
        self,
        p: Person,
        store: int,
        when: datetime,
        first: str,
        last: str,
        email: str,
        phone: str,
        source: str,
    ) -> Profile:
        profile = Profile(
            self.ids.square_customer(),
            p,
            first,
            last,
            email,
            phone,
            self.rng.random() < 0.15,
            source,
            False,
            store,
        )
        self.profiles.append(profile)
        return profile

    def _sale(
        self,
        when: datetime,
        store: int,
        profile: Profile | None,
        person: Person | None,
        card: bool | None = None,
    ) -> None:
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
        sale = StoreSale(
            when,
            store,
            self.ids.square_payment(),
            self.ids.square_payment(),
            lines,
            discount,
            brand,
            rng.choice(shop.devices),
            rng.randrange(len(shop.staff)),
            profile,
            person,
        )
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
                    later,
                    store,
                    sale.tx_id,
                    self.ids.square_payment(),
                    lines,
                    0,
                    brand,
                    rng.choice(shop.devices),
                    rng.randrange(len(shop.staff)),
                    profile,
                    person,
                    refund=sale,
                    refund_lines=part,
                )
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
        self,
        folder: Path,
        lo: date,
        hi: date,
        sales: list[StoreSale],
        truth: GroundTruth,
        log: FileLog,
    ) -> None:
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
                self._tx_row(
                    sale,
                    shop,
                    day,
                    clock,
                    gross,
                    discount,
                    tax,
                    total,
                    fees,
                    customer_id,
                    customer_name,
                )
            )
            for i, qty in sale.refund_lines or sale.lines:
                item_rows.append(
                    self._item_row(sale, shop, day, clock, i, qty, customer_id, customer_name)
                )
        span = f"{lo:%Y-%m-%d}-{hi:%Y-%m-%d}"
        path = folder / f"transactions-{span}.csv"
        log.add(path, write_csv(path, TRANSACTIONS_HEADER, tx_rows, "square", TX_QUOTE_EMPTY))
        path = folder / f"items-{span}.csv"
        log.add(path, write_csv(path, ITEMS_HEADER, item_rows, "square", ITEM_QUOTE_EMPTY))

    def _tx_row(
        self,
        sale: StoreSale,
        shop: Store,
        day: str,
        clock: str,
        gross: int,
        discount: int,
        tax: int,
        total: int,
        fees: int,
        customer_id: str,
        customer_name: str,
    ) -> list[str]:
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
            deposit_date = (
                (sale.when + timedelta(days=1)).astimezone(zone(shop.iana_tz)).strftime("%Y-%m-%d")
            )
        details = (
            "https://app.squareup.com/dashboard/sales/transactions/"
            f"{sale.tx_id}/by-unit/{shop.location_id}"
        )
        return in_header_order(
            TRANSACTIONS_HEADER,
            {
                "Date": day,
                "Time": clock,
                "Time Zone": shop.square_tz,
                "Gross Sales": m(gross),
                "Discounts": m(discount),
                "Service Charges": m(0),
                "Net Sales": m(gross + discount),
                "Gift Card Sales": m(0),
                "Tax": m(tax),
                "Tip": m(0),
                "Partial Refunds": m(total) if partial else m(0),
                "Total Collected": m(total),
                "Source": "Point of Sale",
                "Card": m(total) if card else m(0),
                "Card Entry Methods": card[2] if card else "N/A",
                "Cash": m(0) if card else m(total),
                "Square Gift Card": m(0),
                "Other Tender": m(0),
                "Fees": m(fees),
                "Net Total": m(total + fees),
                "Transaction ID": sale.tx_id,
                "Payment ID": sale.payment_id,
                "Card Brand": card[0] if card else "",
                "PAN Suffix": card[1] if card else "",
                "Device Name": sale.device,
                "Staff Name": staff_name,
                "Staff ID": staff_id,
                "Details": details,
                "Description": description,
                "Event Type": sale.event,
                "Location": shop.name,
                "Customer ID": customer_id,
                "Customer Name": customer_name,
                "Device Nickname": sale.device,
                "Third Party Fees": m(0),
                "Deposit ID": sale.deposit_id,
                "Deposit Date": deposit_date,
                "Fee Percentage Rate": "2.6" if card else "",
                "Fee Fixed Rate": m(10) if card else "",
                "Refund Reason": "Returned goods" if refund else "",
                "Discount Name": "10% Staff Pick" if sale.discount and not refund else "",
                "Transaction Status": "Complete",
                "Cash App": m(0),
                "Free Processing Applied": m(0),
                "Channel": shop.name,
                "Unattributed Tips": m(0),
                "International Fee": m(0),
            },
        )

    def _item_row(
        self,
        sale: StoreSale,
        shop: Store,
        day: str,
        clock: str,
        i: int,
        qty: int,
        customer_id: str,
        customer_name: str,
    ) -> list[str]:
        prod = PRODUCTS[i]
        sign = -1 if sale.refund is not None else 1
        gross = sign * prod.price_cents * qty
        discount = -sign * (abs(gross) // 10) if (sale.refund or sale).discount else 0
        net = gross + discount
        tax = net * shop.tax_bp // 10_000
        card = sale.card
        details = (
            "https://app.squareup.com/dashboard/sales/transactions/"
            f"{sale.tx_id}/by-unit/{shop.location_id}"
        )
        return in_header_order(
            ITEMS_HEADER,
            {
                "Date": day,
                "Time": clock,
                "Time Zone": shop.square_tz,
                "Category": prod.product_type,
                "Item": prod.title,
                "Qty": f"{sign * qty}.0",
                "Price Point Name": "Regular",
                "SKU": prod.sku,
                "Gross Sales": square_money(gross),
                "Discounts": square_money(discount),
                "Net Sales": square_money(net),
                "Tax": square_money(tax),
                "Transaction ID": sale.tx_id,
                "Payment ID": sale.payment_id,
                "Device Name": sale.device,
                "Details": details,
                "Event Type": sale.event,
                "Location": shop.name,
                "Customer ID": customer_id,
                "Customer Name": customer_name,
                "Unit": "ea",
                "Count": str(sign * qty),
                "Itemization Type": "Physical Good",
                "Commission": square_money(0),
                "Channel": shop.name,
                "Token": prod.square_token,
                "Card Brand": card[0] if card else "",
                "PAN Suffix": card[1] if card else "",
            },
        )

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
            street = prof.street
            line1, line2 = prof.address or (p.address1, p.address2)
            rows.append(
                in_header_order(
                    CUSTOMERS_HEADER,
                    {
                        "First Name": prof.first,
                        "Last Name": prof.last,
                        "Email Address": prof.email,
                        "Phone Number": prof.phone,
                        "Street Address 1": line1 if street else "",
                        "Street Address 2": line2 if street else "",
                        "City": p.city.name if street else "",
                        "State": p.city.state_code if street else "",
                        "Postal Code": p.zip if street else "",
                        "Birthday": prof.birthday,
                        "Square Customer ID": prof.square_id,
                        "Creation Source": prof.source,
                        "First Visit": us_date(visited, shop.iana_tz),
                        "Last Visit": us_date(prof.last_visit or visited, shop.iana_tz),
                        "Transaction Count": str(prof.transactions),
                        "Total Spend": square_money(prof.spend),
                        "Email Subscription Status": subscribed,
                        "Instant Profile": "Yes" if prof.instant else "No",
                    },
                )
            )
        day = self.as_of.astimezone(zone("America/New_York")).strftime("%Y-%m-%d")
        path = folder / f"customers-{day}.csv"
        log.add(path, write_csv(path, CUSTOMERS_HEADER, rows))
