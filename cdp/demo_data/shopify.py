"""Shopify: customer accounts, online orders (REST Admin `orders.json` pages), the admin
customers CSV export and the product catalogue (`products.json`).

Orders are created by the web simulation at checkout time and kept as compact records; the
REST JSON is built only when a page of 250 is written, which keeps 100k people in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cdp.demo_data.catalog import (
    COLLECTIONS,
    PRODUCTS,
    SHOP_NAME,
    SHOP_TIMEZONE,
    STATE_TAX_BP,
)
from cdp.demo_data.clock import local_daytime, poisson
from cdp.demo_data.config import BehaviourRates
from cdp.demo_data.formats import messy_email, money, shopify_ts, typed_phone
from cdp.demo_data.ids import IdFactory, stable_hex
from cdp.demo_data.people import Person
from cdp.demo_data.truth import GroundTruth
from cdp.demo_data.writers import FileLog, in_header_order, write_csv, write_json
from ingestion.sources import SHOPIFY_CUSTOMER_HEADERS

PAGE_SIZE = 250
_REF = datetime(2020, 1, 1, tzinfo=UTC)
# Today's customers export: the loader's own list (ingestion.sources).
CUSTOMERS_HEADER: tuple[str, ...] = SHOPIFY_CUSTOMER_HEADERS
CANCEL_REASONS = ("customer", "inventory", "fraud", "declined", "other")


def shopify_id(ids: IdFactory, base: int, when: datetime, per_second: int) -> int:
    """Shopify ids grow with creation time; derive them from the timestamp plus jitter."""
    seconds = int((when - _REF).total_seconds())
    return ids.near(base + seconds * per_second, per_second)


def plan_customers(
    people: list[Person], rng: random.Random, ids: IdFactory, start: datetime, as_of: datetime
) -> None:
    """Decide when each buyer orders and when account holders opened their account."""
    span = (as_of - start).total_seconds()
    for p in people:
        if p.signature or not (p.has_account or p.guest_buyer):
            continue
        if p.has_account:
            n = 0 if rng.random() < 0.12 else 1 + poisson(rng, 1.1)
            if p.plan.get("two_email_link") == "orders":
                n = max(n, 2)
        else:
            n = 1 + (rng.random() < 0.2)
        p.purchase_times = sorted(
            local_daytime(
                rng,
                start + timedelta(seconds=span * rng.uniform(0.0, 0.998)),
                p.city.iana_tz,
                as_of,
            )
            for _ in range(n)
        )
        if not p.has_account:
            continue
        if rng.random() < 0.3:
            created = start - timedelta(days=rng.uniform(20, 700))
        elif p.purchase_times:
            created = p.purchase_times[0] - timedelta(minutes=rng.uniform(2, 40))
        else:
            created = start + timedelta(seconds=span * rng.uniform(0.0, 0.95))
        p.account_created = created
        p.customer_id = shopify_id(ids, 6_900_000_000_000, created, 20)
        p.account_email = p.work_email or p.email_at(created)


def account_email_at(p: Person, when: datetime) -> str:
    """The Shopify customer's login email at `when` (people who switch update their account)."""
    return p.work_email or p.email_at(when)


@dataclass(slots=True, eq=False)
class OrderRec:
    id: int
    person: Person
    created: datetime
    email: str
    guest: bool
    lines: list[tuple[int, int]]
    token: str
    landing_site: str
    referring_site: str
    browser_ip: str
    phone_e164: str | None
    billing_phone: str | None
    discount_code: str | None
    discount_cents: int
    number: int = 0
    status: str = "paid"
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    refunds: list[tuple[datetime, int, bool]] = field(default_factory=list)
    """(created_at, amount in cents, whether a failed attempt preceded it)."""

    @property
    def subtotal_before_discount(self) -> int:
        return sum(PRODUCTS[i].price_cents * q for i, q in self.lines)

    def totals(self) -> tuple[int, int, int, int]:
        """(subtotal after discount, tax, shipping, total) in cents."""
        subtotal = self.subtotal_before_discount - self.discount_cents
        tax = subtotal * STATE_TAX_BP.get(self.person.city.state_code, 600) // 10_000
        shipping = 0 if subtotal >= 7500 else 695
        return subtotal, tax, shipping, subtotal + tax + shipping


class ShopifyOrders:
    def __init__(
        self, rng: random.Random, ids: IdFactory, rates: BehaviourRates, as_of: datetime
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.rates = rates
        self.as_of = as_of
        self.orders: list[OrderRec] = []

    def new_order_id(self, when: datetime) -> int:
        return shopify_id(self.ids, 5_400_000_000_000, when, 25)

    def add(self, order: OrderRec) -> None:
        self._fate(order)
        self.orders.append(order)

    def _fate(self, o: OrderRec) -> None:
        """Cancel, refund, partially refund or leave pending a few orders."""
        rng, r = self.rng, self.rng.random()
        total = o.totals()[3]
        rates = self.rates
        later = o.created + timedelta(days=rng.uniform(1, 20))
        if r < rates.cancel_rate:
            o.cancelled_at = min(
                o.created + timedelta(hours=rng.uniform(0.5, 48)), self.as_of - timedelta(minutes=5)
            )
            o.cancel_reason = rng.choice(CANCEL_REASONS)
            if rng.random() < 0.55:
                o.status = "voided"
            else:
                o.status = "refunded"
                o.refunds.append((o.cancelled_at, total, rng.random() < 0.1))
        elif later >= self.as_of:
            o.status = "paid"
        elif r < rates.cancel_rate + rates.refund_rate:
            o.status = "refunded"
            o.refunds.append((later, total, rng.random() < 0.1))
        elif r < rates.cancel_rate + rates.refund_rate + rates.partial_refund_rate:
            o.status = "partially_refunded"
            i, _ = rng.choice(o.lines)
            part = min(total - 100, PRODUCTS[i].price_cents)
            o.refunds.append((later, max(part, 100), rng.random() < 0.1))
        elif (
            r
            < rates.cancel_rate + rates.refund_rate + rates.partial_refund_rate + rates.pending_rate
        ):
            o.status = "pending"

    # -- writing -------------------------------------------------------------------------
    def write(self, folder: Path, truth: GroundTruth, log: FileLog) -> None:
        self.orders.sort(key=lambda o: o.id)
        for n, order in enumerate(self.orders):
            order.number = 1001 + n
        folder.mkdir(parents=True, exist_ok=True)
        for page in range(0, len(self.orders), PAGE_SIZE):
            batch = self.orders[page : page + PAGE_SIZE]
            body = {"orders": [self._order_json(o, truth) for o in batch]}
            path = folder / f"orders_{page // PAGE_SIZE + 1:04d}.json"
            write_json(path, body)
            log.add(path, len(batch))
        if not self.orders:
            path = folder / "orders_0001.json"
            write_json(path, {"orders": []})
            log.add(path, 0)

    def _order_json(self, o: OrderRec, truth: GroundTruth) -> dict:
        p = o.person
        rng = random.Random(o.id)  # per-order stream: independent of write order
        subtotal, tax, shipping, total = o.totals()
        created = shopify_ts(o.created, SHOP_TIMEZONE)
        aged = (self.as_of - o.created).days
        fulfilled = o.status in ("paid", "partially_refunded", "refunded") and aged >= 3
        closed = o.created + timedelta(days=rng.uniform(3, 8)) if fulfilled and aged > 8 else None
        moments = [o.created, *(t for t, _, _ in o.refunds), o.cancelled_at, closed]
        updated = max(t for t in moments if t is not None)
        address = self._address(p, o.billing_phone)
        truth.record("shopify_orders", o.id, p.pid)
        truth.email(o.email, p.pid)
        truth.phone(o.phone_e164, p.pid)
        truth.phone(o.billing_phone, p.pid)
        body: dict = {
            "id": o.id,
            "admin_graphql_api_id": f"gid://shopify/Order/{o.id}",
            "browser_ip": o.browser_ip,
            "buyer_accepts_marketing": p.subscriber,
            "cancel_reason": o.cancel_reason,
            "cancelled_at": shopify_ts(o.cancelled_at, SHOP_TIMEZONE) if o.cancelled_at else None,
            "checkout_token": o.token,
            "closed_at": shopify_ts(closed, SHOP_TIMEZONE) if closed else None,
            "confirmed": True,
            "contact_email": o.email,
            "created_at": created,
            "currency": "USD",
            "customer_locale": "en-US",
            "discount_codes": (
                [{"code": o.discount_code, "amount": money(o.discount_cents), "type": "percentage"}]
                if o.discount_code
                else []
            ),
            "email": o.email,
            "financial_status": o.status,
            "fulfillment_status": "fulfilled" if fulfilled else None,
            "landing_site": o.landing_site,
            "name": f"#{o.number}",
            "note": None,
            "order_number": o.number,
            "phone": o.phone_e164,
            "presentment_currency": "USD",
            "processed_at": created,
            "referring_site": o.referring_site,
            "source_name": "web",
            "subtotal_price": money(subtotal),
            "tags": "",
            "taxes_included": False,
            "test": False,
            "token": stable_hex("order-token", o.id, n=32),
            "total_discounts": money(o.discount_cents),
            "total_line_items_price": money(o.subtotal_before_discount),
            "total_price": money(total),
            "total_shipping_price_set": {
                "shop_money": {"amount": money(shipping), "currency_code": "USD"}
            },
            "total_tax": money(tax),
            "updated_at": shopify_ts(updated, SHOP_TIMEZONE),
            "billing_address": address,
            "customer": self._customer_json(p, o, truth),
            "line_items": self._lines_json(o, fulfilled),
            "refunds": self._refunds_json(o),
            "shipping_address": dict(address),
        }
        return body

    @staticmethod
    def _address(p: Person, phone: str | None) -> dict:
        return {
            "first_name": p.first,
            "address1": p.address1,
            "phone": phone,
            "city": p.city.name,
            "zip": p.zip,
            "province": p.city.state_name,
            "country": "United States",
            "last_name": p.last,
            "address2": p.address2 or None,
            "company": None,
            "latitude": round(p.city.lat, 4),
            "longitude": round(p.city.lon, 4),
            "name": f"{p.first} {p.last}",
            "country_code": "US",
            "province_code": p.city.state_code,
        }

    def _customer_json(self, p: Person, o: OrderRec, truth: GroundTruth) -> dict:
        if o.guest:
            # Guest checkout: the order only knows the address the shopper typed.
            return {"email": o.email}
        truth.identifier("shopify_customer_id", p.customer_id, p.pid)
        email = account_email_at(p, self.as_of)
        truth.email(email, p.pid)
        phone = f"+1{p.phone}" if p.phone else None
        truth.phone(phone, p.pid)
        created = shopify_ts(p.account_created, SHOP_TIMEZONE)  # type: ignore[arg-type]
        return {
            "id": p.customer_id,
            "email": email,
            "created_at": created,
            "updated_at": shopify_ts(max(o.created, p.account_created), SHOP_TIMEZONE),  # type: ignore[type-var]
            "first_name": p.first,
            "last_name": p.last,
            "state": "enabled",
            "note": None,
            "verified_email": True,
            "multipass_identifier": None,
            "tax_exempt": False,
            "email_marketing_consent": {
                "state": "subscribed" if p.subscriber else "not_subscribed",
                "opt_in_level": "single_opt_in" if p.subscriber else None,
                "consent_updated_at": created if p.subscriber else None,
            },
            "sms_marketing_consent": (
                {
                    "state": "subscribed" if p.engagement > 0.45 else "not_subscribed",
                    "opt_in_level": "single_opt_in",
                    "consent_updated_at": created,
                    "consent_collected_from": "SHOPIFY",
                }
                if phone
                else None
            ),
            "tags": "",
            "phone": phone,
            "currency": "USD",
            "tax_exemptions": [],
            "admin_graphql_api_id": f"gid://shopify/Customer/{p.customer_id}",
            "default_address": {
                "customer_id": p.customer_id,
                "first_name": p.first,
                "last_name": p.last,
                "company": None,
                "address1": p.address1,
                "address2": p.address2 or None,
                "city": p.city.name,
                "province": p.city.state_name,
                "country": "United States",
                "zip": p.zip,
                "phone": None,
                "name": f"{p.first} {p.last}",
                "province_code": p.city.state_code,
                "country_code": "US",
                "country_name": "United States",
                "default": True,
            },
        }

    def _lines_json(self, o: OrderRec, fulfilled: bool) -> list[dict]:
        lines = []
        for k, (i, qty) in enumerate(o.lines):
            prod = PRODUCTS[i]
            line_id = 14_000_000_000_000 + (o.id - 5_400_000_000_000) * 4 + k
            lines.append(
                {
                    "id": line_id,
                    "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
                    "fulfillable_quantity": 0 if fulfilled else qty,
                    "fulfillment_service": "manual",
                    "fulfillment_status": "fulfilled" if fulfilled else None,
                    "gift_card": prod.product_type == "Gift Cards",
                    "grams": 450,
                    "name": f"{prod.title} - {prod.variant_title}",
                    "price": money(prod.price_cents),
                    "product_exists": True,
                    "product_id": prod.product_id,
                    "quantity": qty,
                    "requires_shipping": prod.product_type != "Gift Cards",
                    "sku": prod.sku,
                    "taxable": True,
                    "title": prod.title,
                    "total_discount": "0.00",
                    "variant_id": prod.variant_id,
                    "variant_title": prod.variant_title,
                    "vendor": SHOP_NAME,
                }
            )
        return lines

    def _refunds_json(self, o: OrderRec) -> list[dict]:
        refunds = []
        for k, (when, cents, failed_first) in enumerate(o.refunds):
            refund_id = 900_000_000_000 + (o.id - 5_400_000_000_000) * 2 + k
            ts = shopify_ts(when, SHOP_TIMEZONE)
            transactions = []
            attempts = (("failure", "Transaction declined"), ("success", "Refund processed"))
            for n, (status, message) in enumerate(attempts if failed_first else attempts[1:]):
                tx_id = 7_100_000_000_000 + (o.id - 5_400_000_000_000) * 4 + 2 * k + n
                transactions.append(
                    {
                        "id": tx_id,
                        "admin_graphql_api_id": f"gid://shopify/OrderTransaction/{tx_id}",
                        "amount": money(cents),
                        "authorization": None,
                        "created_at": ts,
                        "currency": "USD",
                        "gateway": "shopify_payments",
                        "kind": "refund",
                        "message": message,
                        "order_id": o.id,
                        "parent_id": o.id + 3,
                        "processed_at": ts,
                        "status": status,
                        "test": False,
                    }
                )
            refunds.append(
                {
                    "id": refund_id,
                    "admin_graphql_api_id": f"gid://shopify/Refund/{refund_id}",
                    "created_at": ts,
                    "note": None,
                    "order_id": o.id,
                    "processed_at": ts,
                    "restock": True,
                    "user_id": None,
                    "transactions": transactions,
                }
            )
        return refunds

    # -- customers export ----------------------------------------------------------------
    def write_customers(
        self,
        path: Path,
        people: list[Person],
        rng: random.Random,
        truth: GroundTruth,
        log: FileLog,
    ) -> None:
        spent: dict[int, int] = {}
        count: dict[int, int] = {}
        for o in self.orders:
            if o.guest:
                continue
            cid = o.person.customer_id
            count[cid] = count.get(cid, 0) + 1  # type: ignore[index]
            if o.status != "voided":
                paid = o.totals()[3] - sum(c for _, c, _ in o.refunds)
                spent[cid] = spent.get(cid, 0) + paid  # type: ignore[index]
        holders = sorted((p for p in people if p.customer_id), key=lambda p: p.customer_id)  # type: ignore[arg-type, return-value]
        rows = []
        for p in holders:
            cid = p.customer_id
            email = account_email_at(p, self.as_of)
            address_phone = typed_phone(rng, p.phone) if p.phone and rng.random() < 0.6 else ""
            phone = f"+1{p.phone}" if p.phone else ""
            truth.record("shopify_customers", cid, p.pid)
            truth.identifier("shopify_customer_id", cid, p.pid)
            truth.email(email, p.pid)
            truth.phone(address_phone, p.pid)
            truth.phone(phone, p.pid)
            total_spent = spent.get(cid, 0)  # type: ignore[arg-type]
            rows.append(
                in_header_order(
                    CUSTOMERS_HEADER,
                    {
                        "Customer ID": f"'{cid}",
                        "First Name": p.first if rng.random() > 0.03 else p.first.lower(),
                        "Last Name": p.last,
                        "Email": messy_email(rng, email),
                        "Accepts Email Marketing": "yes" if p.subscriber else "no",
                        "Default Address Address1": p.address1,
                        "Default Address Address2": p.address2,
                        "Default Address City": p.city.name,
                        "Default Address Province Code": p.city.state_code,
                        "Default Address Country Code": "US",
                        "Default Address Zip": p.zip,
                        "Default Address Phone": f"'{address_phone}" if address_phone else "",
                        "Phone": f"'{phone}" if phone else "",
                        "Accepts SMS Marketing": "yes" if phone and p.engagement > 0.45 else "no",
                        "Total Spent": money(total_spent),
                        "Total Orders": str(count.get(cid, 0)),  # type: ignore[arg-type]
                        "Tax Exempt": "no",
                        "Tags": "VIP" if total_spent > 50_000 else "",
                    },
                )
            )
        log.add(path, write_csv(path, CUSTOMERS_HEADER, rows))


def write_products(path: Path, start: datetime, log: FileLog) -> None:
    """The catalogue as `GET /admin/api/2024-10/products.json` returns it (categories live in
    `product_type`; REST order line items do not carry it)."""
    created = shopify_ts(start - timedelta(days=400), SHOP_TIMEZONE)
    products = []
    for prod in PRODUCTS:
        products.append(
            {
                "id": prod.product_id,
                "title": prod.title,
                "body_html": f"<p>{prod.title} from {SHOP_NAME}.</p>",
                "vendor": SHOP_NAME,
                "product_type": prod.product_type,
                "created_at": created,
                "handle": prod.handle,
                "updated_at": created,
                "published_at": created,
                "template_suffix": None,
                "published_scope": "global",
                "tags": COLLECTIONS[prod.product_type],
                "status": "active",
                "admin_graphql_api_id": f"gid://shopify/Product/{prod.product_id}",
                "variants": [
                    {
                        "id": prod.variant_id,
                        "product_id": prod.product_id,
                        "title": prod.variant_title,
                        "price": money(prod.price_cents),
                        "sku": prod.sku,
                        "position": 1,
                        "inventory_policy": "deny",
                        "compare_at_price": None,
                        "option1": prod.variant_title,
                        "created_at": created,
                        "updated_at": created,
                        "taxable": True,
                        "barcode": None,
                        "grams": 450,
                        "weight": 1.0,
                        "weight_unit": "lb",
                        "requires_shipping": prod.product_type != "Gift Cards",
                        "admin_graphql_api_id": f"gid://shopify/ProductVariant/{prod.variant_id}",
                    }
                ],
                "options": [
                    {
                        "product_id": prod.product_id,
                        "name": "Title",
                        "position": 1,
                        "values": [prod.variant_title],
                    }
                ],
                "images": [],
                "image": None,
            }
        )
    write_json(path, {"products": products})
    log.add(path, len(products))
