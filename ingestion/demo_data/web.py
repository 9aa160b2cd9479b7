"""Storefront visits as Web Pixel events, and the online orders they end in.

A person browses on their own devices (one clientId per browser), arrives from search, social,
direct or a Mailchimp click, views products, adds to cart, starts checkouts (typing an email or
phone when not logged in) and completes or abandons them. Completed checkouts become Shopify
orders. Events are spooled per month to temp files and sorted on the way out, so memory does not
grow with the number of people.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from ingestion.demo_data.catalog import (
    BROWSERS,
    COLLECTION_IDS,
    COLLECTIONS,
    PRODUCTS,
    REFERRERS,
    SHOP_DOMAIN,
    SHOP_NAME,
    SHOP_URL,
    Product,
)
from ingestion.demo_data.clock import local_daytime
from ingestion.demo_data.config import BehaviourRates
from ingestion.demo_data.formats import messy_email, phone_as, pixel_ts, typed_phone
from ingestion.demo_data.ids import IdFactory
from ingestion.demo_data.mailchimp import random_ip
from ingestion.demo_data.people import Device, Person
from ingestion.demo_data.shopify import OrderRec, ShopifyOrders, _poisson, account_email_at
from ingestion.demo_data.truth import GroundTruth
from ingestion.demo_data.writers import FileLog, dumps

_SLUG_TO_TYPE = {slug: ptype for ptype, slug in COLLECTIONS.items()}
_SOURCES = (
    ("direct", 42), ("google", 24), ("google_cpc", 10), ("instagram", 10), ("facebook", 7),
    ("pinterest", 4), ("search", 3),
)  # fmt: skip
_SEARCHES = ("rain jacket", "boots", "gift", "wool", "backpack", "candle", "socks", "hoodie")


class EventSpool:
    """Per-month temp files of `time<TAB>event id<TAB>person<TAB>json`, sorted when closed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}

    def add(self, when: datetime, event_id: str, pid: str, line: str) -> None:
        month = when.strftime("%Y-%m")
        fh = self._files.get(month)
        if fh is None:
            fh = self._files[month] = (self.folder / f".web_events_{month}.tmp").open(
                "w", encoding="utf-8", newline=""
            )
        fh.write(f"{int(when.timestamp() * 1000):015d}\t{event_id}\t{pid}\t{line}\n")

    def finish(self, truth: GroundTruth, log: FileLog) -> None:
        for month in sorted(self._files):
            self._files[month].close()
            tmp = self.folder / f".web_events_{month}.tmp"
            with tmp.open(encoding="utf-8") as fh:
                lines = fh.readlines()
            lines.sort()
            path = self.folder / f"web_events_{month}.jsonl"
            with path.open("w", encoding="utf-8", newline="") as out:
                for line in lines:
                    _, event_id, pid, body = line.split("\t", 3)
                    out.write(body)
                    truth.web_event(event_id, pid)
            tmp.unlink()
            log.add(path, len(lines))


class WebSim:
    def __init__(
        self,
        rng: random.Random,
        ids: IdFactory,
        spool: EventSpool,
        orders: ShopifyOrders,
        truth: GroundTruth,
        rates: BehaviourRates,
        start: datetime,
        as_of: datetime,
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.spool = spool
        self.orders = orders
        self.truth = truth
        self.rates = rates
        self.start = start
        self.as_of = as_of
        self._household_devices: dict[int, Device] = {}
        self._logged_in: set[str] = set()
        self._live = True
        self._last = datetime.min.replace(tzinfo=None)
        """False while a session's buyer blocks the pixel: the order happens, no events do."""
        self._phones = [b for b in BROWSERS if b.kind == "phone"]
        self._laptops = [b for b in BROWSERS if b.kind == "laptop"]
        self._tablets = [b for b in BROWSERS if b.kind == "tablet"]

    # -- devices -------------------------------------------------------------------------
    def _device(self, kind: str, shared: bool = False) -> Device:
        browsers = {"phone": self._phones, "laptop": self._laptops, "tablet": self._tablets}[kind]
        browser = self.rng.choice(browsers)
        return Device(self.ids.uuid(), kind, browser.user_agent, self.rng.choice(browser.screens),
                      shared)  # fmt: skip

    def _ensure_devices(self, p: Person) -> None:
        if p.devices:
            return
        rng = self.rng
        if rng.random() < 0.85:
            p.devices.append(self._device("phone"))
        if rng.random() < 0.6 or not p.devices:
            p.devices.append(self._device("laptop"))
        if rng.random() < 0.1:
            p.devices.append(self._device("tablet"))
        household = p.plan.get("household_device")
        if isinstance(household, int):
            device = self._household_devices.get(household)
            if device is None:
                device = self._household_devices[household] = self._device("tablet", shared=True)
            p.shared_device = device

    def _pick_device(self, p: Person, prefer: str | None = None) -> Device:
        if p.shared_device is not None and self.rng.random() < 0.35:
            return p.shared_device
        if prefer:
            for device in p.devices:
                if device.kind == prefer and self.rng.random() < 0.75:
                    return device
        return self.rng.choice(p.devices)

    # -- people --------------------------------------------------------------------------
    def run(self, people: list[Person]) -> None:
        for p in people:
            if p.signature:
                self._signature(p)
            elif p.web_active or p.clicks or p.purchase_times:
                self._person(p)

    def _person(self, p: Person) -> None:
        rng = self.rng
        self._ensure_devices(p)
        span = (self.as_of - self.start).total_seconds()
        intents: list[tuple[datetime, str, str]] = []
        intents += [(t, "purchase", "") for t in p.purchase_times]
        intents += [(t, "click", url) for t, url in p.clicks]
        if p.has_account:
            browse = 1 + _poisson(rng, 2.0)
        elif p.guest_buyer:
            browse = _poisson(rng, 1.5)
        elif p.web_active:
            browse = 1 + _poisson(rng, 2.0)
        else:
            browse = 0
        for _ in range(browse):
            when = self.start + timedelta(seconds=span * rng.random())
            when = local_daytime(rng, when, p.city.iana_tz, self.as_of)
            intents.append((when, "abandon" if rng.random() < 0.12 else "browse", ""))
        recent = p.plan.get("recent_abandon")
        if isinstance(recent, datetime):
            intents.append((recent, "abandon", ""))
        intents.sort(key=lambda x: (x[0], x[1]))
        for when, kind, url in intents:
            if when >= self.as_of:
                continue
            if kind == "click":
                device = self._pick_device(p, prefer="laptop" if rng.random() < 0.5 else "phone")
            else:
                device = self._pick_device(p)
            self._session(p, device, when, kind, url)

    # -- the signature story ---------------------------------------------------------------
    def _signature(self, p: Person) -> None:
        phone, laptop = self._device("phone"), self._device("laptop")
        p.devices = [phone, laptop]
        for when in p.plan["browse_at"]:  # type: ignore[attr-defined]
            self._session(p, phone, when, "browse", "", products=2)
        self._session(p, phone, p.plan["abandon_at"], "abandon", "", typed_email=p.email)  # type: ignore[arg-type]
        for when, url in p.clicks:
            self._session(p, laptop, when, "click", url, products=1)

    # -- sessions ------------------------------------------------------------------------
    def _session(
        self,
        p: Person,
        device: Device,
        when: datetime,
        kind: str,
        url: str,
        products: int | None = None,
        typed_email: str | None = None,
    ) -> None:
        rng = self.rng
        logged_in = (
            p.customer_id is not None
            and not device.shared
            and p.account_created is not None
            and when >= p.account_created
            and device.client_id in self._logged_in
        )
        customer = str(p.customer_id) if logged_in else None
        self._live = not (kind == "purchase" and rng.random() < self.rates.adblock_rate)
        self._last = when
        emit = self._emit
        landing, referrer = self._landing(kind, url)
        t = when
        seq = [0]
        page_path = landing.split("?", 1)[0]
        emit(p, device, customer, t, seq, "page_viewed", landing, referrer, _title(page_path), {})
        if "/collections/" in page_path:
            slug = page_path.rsplit("/", 1)[-1]
            emit(p, device, customer, t, seq, "collection_viewed", landing, referrer,
                 _title(page_path), {"collection": {"id": str(COLLECTION_IDS.get(slug, 0)),
                                                    "title": _SLUG_TO_TYPE.get(slug, slug)}})  # fmt: skip
        views = products if products is not None else rng.randint(1, 4)
        viewed: list[Product] = []
        previous = landing
        for _ in range(views):
            t += timedelta(seconds=rng.uniform(8, 140))
            prod = rng.choice(PRODUCTS)
            viewed.append(prod)
            href = f"{SHOP_URL}/products/{prod.handle}"
            emit(p, device, customer, t, seq, "page_viewed", href, previous, _title(href), {})
            emit(p, device, customer, t, seq, "product_viewed", href, previous, _title(href),
                 {"productVariant": _variant(prod)})  # fmt: skip
            previous = href
        wants_cart = kind in ("purchase", "abandon") or (kind != "click" and rng.random() < 0.15)
        if not wants_cart and not (kind == "click" and rng.random() < 0.2):
            return
        cart: list[tuple[int, int]] = []
        for prod in viewed[: rng.randint(1, min(3, len(viewed)))]:
            qty = 1 if rng.random() < 0.85 else 2
            cart.append((PRODUCTS.index(prod), qty))
            t += timedelta(seconds=rng.uniform(3, 40))
            emit(p, device, customer, t, seq, "product_added_to_cart", previous, previous,
                 _title(previous), {"cartLine": _cart_line(prod, qty)})  # fmt: skip
        if kind not in ("purchase", "abandon"):
            return
        self._checkout(p, device, customer, t, seq, kind, cart, landing, referrer, typed_email)

    def _landing(self, kind: str, url: str) -> tuple[str, str]:
        """Where the visit starts and what referred it."""
        rng = self.rng
        if kind == "click":
            return url, ""
        source = rng.choices([s for s, _ in _SOURCES], weights=[w for _, w in _SOURCES])[0]
        page = rng.random()
        if page < 0.35:
            path = "/"
        elif page < 0.7:
            path = f"/collections/{rng.choice(list(COLLECTIONS.values()))}"
        else:
            path = f"/products/{rng.choice(PRODUCTS).handle}"
        if source == "direct":
            return f"{SHOP_URL}{path}", ""
        if source == "google":
            return f"{SHOP_URL}{path}", REFERRERS["google"]
        if source == "google_cpc":
            return (f"{SHOP_URL}{path}?utm_source=google&utm_medium=cpc&utm_campaign=brand-search"
                    f"&gclid={self.ids.base62(24)}", REFERRERS["google"])  # fmt: skip
        if source == "search":
            query = rng.choice(_SEARCHES)
            return f"{SHOP_URL}/search?q={query.replace(' ', '+')}", ""
        social = {"instagram": "paid_social", "facebook": "paid_social", "pinterest": "social"}
        return (f"{SHOP_URL}{path}?utm_source={source}&utm_medium={social[source]}"
                f"&utm_campaign=seasonal-{rng.choice(('spring', 'summer', 'fall', 'holiday'))}",
                REFERRERS[source])  # fmt: skip

    def _checkout(
        self,
        p: Person,
        device: Device,
        customer: str | None,
        t: datetime,
        seq: list[int],
        kind: str,
        cart: list[tuple[int, int]],
        landing: str,
        referrer: str,
        typed_email: str | None,
    ) -> None:
        rng = self.rng
        emit = self._emit
        token = self.ids.hex(32)
        t += timedelta(seconds=rng.uniform(10, 90))
        account = p.customer_id is not None and (p.account_created or t) <= t
        guest = kind == "purchase" and not account
        # The address on the order / checkout.
        if typed_email is not None:
            email = typed_email
        elif account and (customer or kind == "purchase"):
            email = account_email_at(p, t)
            if p.plan.get("two_email_link") == "orders" and (
                not p.plan.get("linked") or rng.random() < 0.4
            ):
                email = p.email_at(t)
                p.plan["linked"] = True
        elif guest and p.typo_source == "shopify" and p.typo_email and not p.plan.get("typo_used"):
            email = p.typo_email
            p.plan["typo_used"] = True
        elif kind == "purchase" or rng.random() < 0.55:
            email = p.email_at(t)
        else:
            email = ""
        shown_email = messy_email(rng, email) if email and typed_email is None else email
        phone_digits = p.phone if p.phone and rng.random() < 0.35 else None
        typed = typed_phone(rng, phone_digits) if phone_digits else None
        subtotal = sum(PRODUCTS[i].price_cents * q for i, q in cart)
        discount_code, discount = None, 0
        if rng.random() < 0.15:
            discount_code = rng.choice(("WELCOME10", "TRAIL15", "VIP20"))
            discount = subtotal * int(discount_code[-2:]) // 100
        checkout_href = f"{SHOP_URL}/checkouts/cn/{token}/information"
        checkout = _checkout_data(token, shown_email or None, typed, cart, subtotal - discount)
        emit(p, device, customer, t, seq, "page_viewed", checkout_href, "", "Checkout", {})
        emit(p, device, customer, t, seq, "checkout_started", checkout_href, "", "Checkout",
             {"checkout": checkout})  # fmt: skip
        if kind != "purchase":
            return
        t += timedelta(seconds=rng.uniform(60, 420))
        if t >= self.as_of:
            return
        order_id = self.orders.new_order_id(t)
        landing_path = landing.replace(SHOP_URL, "", 1) or "/"
        order = OrderRec(
            id=order_id,
            person=p,
            created=t,
            email=(shown_email or email).strip(),
            guest=guest,
            lines=cart,
            token=token,
            landing_site=landing_path,
            referring_site=referrer,
            browser_ip=random_ip(rng),
            phone_e164=phone_as(phone_digits, "e164") if phone_digits else None,
            billing_phone=typed if typed and rng.random() < 0.6 else None,
            discount_code=discount_code,
            discount_cents=discount,
        )
        self.orders.add(order)
        done_href = f"{SHOP_URL}/checkouts/cn/{token}/thank-you"
        checkout = dict(checkout, order={"id": str(order_id)})
        emit(p, device, customer, t, seq, "page_viewed", done_href, checkout_href, "Thank you", {})
        emit(p, device, customer, t, seq, "checkout_completed", done_href, checkout_href,
             "Thank you", {"checkout": checkout})  # fmt: skip
        if account and not device.shared:
            self._logged_in.add(device.client_id)

    # -- events --------------------------------------------------------------------------
    def _emit(
        self,
        p: Person,
        device: Device,
        customer: str | None,
        when: datetime,
        seq: list[int],
        name: str,
        href: str,
        referrer: str,
        title: str,
        data: dict,
    ) -> None:
        if when <= self._last and seq[0]:
            # Events of one page land a few hundred milliseconds apart, in order.
            when = self._last + timedelta(milliseconds=self.rng.randint(60, 900))
        if when >= self.as_of or not self._live:
            return
        self._last = when
        seq[0] += 1
        event_id = f"sh-{self.ids.uuid()}"
        path, _, search = href.replace(SHOP_URL, "", 1).partition("?")
        event = {
            "id": event_id,
            "name": name,
            "timestamp": pixel_ts(when),
            "clientId": device.client_id,
            "customerId": customer,
            "seq": seq[0],
            "type": "standard",
            "context": {
                "document": {
                    "location": {"href": href, "host": SHOP_DOMAIN, "pathname": path or "/",
                                 "search": f"?{search}" if search else ""},
                    "referrer": referrer,
                    "title": title,
                },
                "navigator": {"userAgent": device.user_agent, "language": "en-US"},
                "window": {"screen": {"width": device.screen[0], "height": device.screen[1]}},
            },
            "data": data,
        }  # fmt: skip
        self.spool.add(when, event_id, p.pid, dumps(event))
        self.truth.identifier("anonymous_id", device.client_id, p.pid)
        if customer:
            self.truth.identifier("shopify_customer_id", customer, p.pid)
        checkout = data.get("checkout")
        if checkout:
            self.truth.email(checkout["email"], p.pid)
            self.truth.phone(checkout["phone"], p.pid)


def _title(href: str) -> str:
    path = href.replace(SHOP_URL, "", 1)
    if path.startswith("/products/"):
        handle = path.split("/")[2].split("?")[0]
        for prod in PRODUCTS:
            if prod.handle == handle:
                return f"{prod.title} – {SHOP_NAME}"
    if path.startswith("/collections/"):
        slug = path.split("/")[2].split("?")[0]
        return f"{_SLUG_TO_TYPE.get(slug, slug.title())} – {SHOP_NAME}"
    if path.startswith("/search"):
        return f"Search – {SHOP_NAME}"
    return SHOP_NAME


def _money(cents: int) -> dict:
    return {"amount": round(cents / 100, 2), "currencyCode": "USD"}


def _variant(prod: Product) -> dict:
    return {
        "id": str(prod.variant_id),
        "title": prod.variant_title,
        "sku": prod.sku,
        "price": _money(prod.price_cents),
        "product": {
            "id": str(prod.product_id),
            "title": prod.title,
            "vendor": SHOP_NAME,
            "type": prod.product_type,
            "url": f"/products/{prod.handle}",
        },
    }


def _cart_line(prod: Product, qty: int) -> dict:
    return {
        "merchandise": _variant(prod),
        "quantity": qty,
        "cost": {"totalAmount": _money(prod.price_cents * qty)},
    }


def _checkout_data(
    token: str, email: str | None, phone: str | None, cart: list[tuple[int, int]], total: int
) -> dict:
    return {
        "token": token,
        "email": email,
        "phone": phone,
        "currencyCode": "USD",
        "totalPrice": _money(total),
        "subtotalPrice": _money(total),
        "lineItems": [
            {"title": PRODUCTS[i].title, "quantity": q, "variant": _variant(PRODUCTS[i])}
            for i, q in cart
        ],
    }
