"""Storefront visits as Web Pixel events, and the online orders they end in.

A person browses on their own devices (one clientId per browser), arrives from search, social,
direct or a Mailchimp click, views products, adds to cart, starts checkouts (typing an email or
phone when not logged in) and completes or abandons them. Completed checkouts become Shopify
orders. Events are spooled per month to temp files and sorted on the way out, so memory does not
grow with the number of people; JSON fragments that repeat (device context, product variants)
are serialised once and reused, which is what makes 100k people take seconds, not minutes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from json.encoder import encode_basestring as js
from pathlib import Path
from typing import IO

from cdp.demo_data.catalog import (
    BROWSERS,
    COLLECTION_IDS,
    COLLECTIONS,
    PRODUCTS,
    REFERRERS,
    SHOP_NAME,
    SHOP_URL,
    Product,
)
from cdp.demo_data.clock import local_daytime, poisson
from cdp.demo_data.config import BehaviourRates
from cdp.demo_data.formats import messy_email, phone_as, pixel_ts, typed_phone
from cdp.demo_data.ids import IdFactory, random_ip
from cdp.demo_data.people import Device, Person
from cdp.demo_data.shopify import OrderRec, ShopifyOrders, account_email_at
from cdp.demo_data.truth import GroundTruth
from cdp.demo_data.writers import FileLog, dumps

_SLUG_TO_TYPE = {slug: ptype for ptype, slug in COLLECTIONS.items()}
_SOURCES = ("direct", "google", "google_cpc", "instagram", "facebook", "pinterest", "search")
_SOURCE_WEIGHTS = (42, 24, 10, 10, 7, 4, 3)
_SEARCHES = ("rain jacket", "boots", "gift", "wool", "backpack", "candle", "socks", "hoodie")
_PRODUCT_INDEX = {prod.handle: i for i, prod in enumerate(PRODUCTS)}


class EventSpool:
    """Per-month temp files of `time<TAB>event id<TAB>person<TAB>json`, sorted when closed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}

    def add(self, when: datetime, event_id: str, pid: str, line: str) -> None:
        month = f"{when.year:04d}-{when.month:02d}"
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
        self._device_json: dict[str, str] = {}
        self._variant_json = [dumps({"productVariant": _variant(p)}) for p in PRODUCTS]
        self._cart_json = {
            (i, q): dumps({"cartLine": _cart_line(p, q)})
            for i, p in enumerate(PRODUCTS)
            for q in (1, 2)
        }
        self._browsers = {
            kind: [b for b in BROWSERS if b.kind == kind] for kind in ("phone", "laptop", "tablet")
        }
        self._live = True
        """False while a session's buyer blocks the pixel: the order happens, no events do."""
        self._last = start
        self._seq = 0

    # -- devices -------------------------------------------------------------------------
    def _device(self, kind: str, shared: bool = False) -> Device:
        browser = self.rng.choice(self._browsers[kind])
        device = Device(
            self.ids.uuid(), kind, browser.user_agent, self.rng.choice(browser.screens), shared
        )
        self._device_json[device.client_id] = (
            f'"navigator":{{"userAgent":{js(device.user_agent)},"language":"en-US"}},'
            f'"window":{{"screen":{{"width":{device.screen[0]},"height":{device.screen[1]}}}}}'
        )
        return device

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

    def _newsletter_device(self, p: Person) -> Device:
        """Where a fuzzy person reads the newsletter: a computer they never shop or log in on,
        so no browser ties their Mailchimp member to their Shopify account."""
        device = p.plan.get("newsletter_device")
        if not isinstance(device, Device):
            device = p.plan["newsletter_device"] = self._device("laptop")
        return device

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
            browse = 1 + poisson(rng, 0.8)
        elif p.guest_buyer:
            browse = poisson(rng, 0.8)
        elif p.web_active:
            browse = 1 + poisson(rng, 1.2)
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
        shared_pending = p.shared_device is not None
        for when, kind, url in intents:
            if when >= self.as_of:
                continue
            if shared_pending and kind != "click" and p.shared_device is not None:
                # Every household member uses the family tablet at least once.
                device, shared_pending = p.shared_device, False
            elif kind == "click" and p.fuzzy is not None:
                device = self._newsletter_device(p)
            elif kind == "click":
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
        self._seq = 0
        emit = self._emit
        landing, referrer = self._landing(kind, url)
        t = when
        page = landing.split("?", 1)[0]
        emit(p, device, customer, t, "page_viewed", landing, referrer, _title(page), "{}")
        if "/collections/" in page:
            slug = page.rsplit("/", 1)[-1]
            data = dumps(
                {
                    "collection": {
                        "id": str(COLLECTION_IDS.get(slug, 0)),
                        "title": _SLUG_TO_TYPE.get(slug, slug),
                    }
                }
            )
            emit(p, device, customer, t, "collection_viewed", landing, referrer, _title(page), data)
        elif page.endswith("/search"):
            query = landing.split("q=", 1)[-1].replace("+", " ")
            emit(
                p,
                device,
                customer,
                t,
                "search_submitted",
                landing,
                referrer,
                _title(page),
                dumps({"searchResult": {"query": query}}),
            )
        views = products if products is not None else rng.choice((1, 1, 1, 2, 2, 3))
        viewed: list[int] = []
        previous = landing
        for _ in range(views):
            t += timedelta(seconds=rng.uniform(8, 140))
            i = rng.randrange(len(PRODUCTS))
            viewed.append(i)
            href = f"{SHOP_URL}/products/{PRODUCTS[i].handle}"
            title = _title(href)
            emit(p, device, customer, t, "page_viewed", href, previous, title, "{}")
            emit(
                p,
                device,
                customer,
                t,
                "product_viewed",
                href,
                previous,
                title,
                self._variant_json[i],
            )
            previous = href
        wants_cart = kind in ("purchase", "abandon") or (kind != "click" and rng.random() < 0.15)
        if not wants_cart and not (kind == "click" and rng.random() < 0.2):
            return
        cart: list[tuple[int, int]] = []
        for i in viewed[: rng.randint(1, min(3, len(viewed)))]:
            qty = 1 if rng.random() < 0.85 else 2
            cart.append((i, qty))
            t += timedelta(seconds=rng.uniform(3, 40))
            emit(
                p,
                device,
                customer,
                t,
                "product_added_to_cart",
                previous,
                previous,
                _title(previous),
                self._cart_json[(i, qty)],
            )
        if kind in ("purchase", "abandon"):
            self._checkout(p, device, customer, t, kind, cart, landing, referrer, typed_email)

    def _landing(self, kind: str, url: str) -> tuple[str, str]:
        """Where the visit starts and what referred it."""
        rng = self.rng
        if kind == "click":
            return url, ""  # mail clients send no referrer
        source = rng.choices(_SOURCES, weights=_SOURCE_WEIGHTS)[0]
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
            return (
                f"{SHOP_URL}{path}?utm_source=google&utm_medium=cpc&utm_campaign=brand-search"
                f"&gclid={self.ids.fresh_hex(24)}",
                REFERRERS["google"],
            )
        if source == "search":
            return f"{SHOP_URL}/search?q={rng.choice(_SEARCHES).replace(' ', '+')}", ""
        medium = {"instagram": "paid_social", "facebook": "paid_social", "pinterest": "social"}
        return (
            f"{SHOP_URL}{path}?utm_source={source}&utm_medium={medium[source]}"
            f"&utm_campaign=seasonal-{rng.choice(('spring', 'summer', 'fall', 'holiday'))}",
            REFERRERS[source],
        )

    def _checkout(
        self,
        p: Person,
        device: Device,
        customer: str | None,
        t: datetime,
        kind: str,
        cart: list[tuple[int, int]],
        landing: str,
        referrer: str,
        typed_email: str | None,
    ) -> None:
        rng = self.rng
        token = self.ids.fresh_hex(32)
        t += timedelta(seconds=rng.uniform(10, 90))
        account = p.customer_id is not None and (p.account_created or t) <= t
        guest = kind == "purchase" and not account
        email = self._checkout_email(p, t, kind, account, guest, customer, typed_email)
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
        contact = (shown_email, typed)
        self._emit(p, device, customer, t, "page_viewed", checkout_href, "", "Checkout", "{}")
        self._emit(
            p,
            device,
            customer,
            t,
            "checkout_started",
            checkout_href,
            "",
            "Checkout",
            dumps({"checkout": checkout}),
            contact,
        )
        if kind != "purchase":
            return
        t += timedelta(seconds=rng.uniform(60, 420))
        if t >= self.as_of:
            return
        order_id = self.orders.new_order_id(t)
        order = OrderRec(
            id=order_id,
            person=p,
            created=t,
            email=(shown_email or email).strip(),
            guest=guest,
            lines=cart,
            token=token,
            landing_site=landing.replace(SHOP_URL, "", 1) or "/",
            referring_site=referrer,
            browser_ip=random_ip(rng),
            phone_e164=phone_as(phone_digits, "e164") if phone_digits else None,
            billing_phone=typed if typed and rng.random() < 0.6 else None,
            discount_code=discount_code,
            discount_cents=discount,
        )
        self.orders.add(order)
        done_href = f"{SHOP_URL}/checkouts/cn/{token}/thank-you"
        checkout["order"] = {"id": str(order_id)}
        self._emit(
            p, device, customer, t, "page_viewed", done_href, checkout_href, "Thank you", "{}"
        )
        self._emit(
            p,
            device,
            customer,
            t,
            "checkout_completed",
            done_href,
            checkout_href,
            "Thank you",
            dumps({"checkout": checkout}),
            contact,
        )
        if account and not device.shared:
            self._logged_in.add(device.client_id)

    def _checkout_email(
        self,
        p: Person,
        t: datetime,
        kind: str,
        account: bool,
        guest: bool,
        customer: str | None,
        typed_email: str | None,
    ) -> str:
        """The address on the checkout: the account's, a typed one, a typo, or none yet."""
        rng = self.rng
        if typed_email is not None:
            return typed_email
        if account and (customer or kind == "purchase"):
            if p.plan.get("two_email_link") == "orders" and (
                not p.plan.get("linked") or rng.random() < 0.4
            ):
                p.plan["linked"] = True
                return p.email_at(t)
            return account_email_at(p, t)
        if guest and p.typo_source == "shopify" and p.typo_email and not p.plan.get("typo_used"):
            p.plan["typo_used"] = True
            return p.typo_email
        if kind == "purchase" or rng.random() < 0.55:
            return p.email_at(t)
        return ""

    # -- events --------------------------------------------------------------------------
    def _emit(
        self,
        p: Person,
        device: Device,
        customer: str | None,
        when: datetime,
        name: str,
        href: str,
        referrer: str,
        title: str,
        data_json: str,
        contact: tuple[str | None, str | None] | None = None,
    ) -> None:
        if when <= self._last and self._seq:
            # Events of one page land a few hundred milliseconds apart, in order.
            when = self._last + timedelta(milliseconds=self.rng.randint(60, 900))
        if when >= self.as_of or not self._live:
            return
        self._last = when
        self._seq += 1
        event_id = f"sh-{self.ids.fresh_uuid()}"
        line = (
            f'{{"id":"{event_id}","name":"{name}","timestamp":"{pixel_ts(when)}",'
            f'"clientId":"{device.client_id}","customerId":{js(customer) if customer else "null"},'
            f'"seq":{self._seq},"type":"standard","context":{{"document":{{"location":'
            f'{{"href":{js(href)}}},"referrer":{js(referrer)},"title":{js(title)}}},'
            f"{self._device_json[device.client_id]}}},"
            f'"data":{data_json}}}'
        )
        self.spool.add(when, event_id, p.pid, line)
        self.truth.identifier("anonymous_id", device.client_id, p.pid)
        if customer:
            self.truth.identifier("shopify_customer_id", customer, p.pid)
        if contact:
            self.truth.email(contact[0], p.pid)
            self.truth.phone(contact[1], p.pid)


_TITLES: dict[str, str] = {}


def _title(href: str) -> str:
    """The storefront's page title for a URL (cached: a few dozen distinct pages)."""
    path = href.replace(SHOP_URL, "", 1).split("?", 1)[0]
    title = _TITLES.get(path)
    if title is None:
        title = SHOP_NAME
        if path.startswith("/products/"):
            title = f"{PRODUCTS[_PRODUCT_INDEX[path.split('/')[2]]].title} – {SHOP_NAME}"
        elif path.startswith("/collections/"):
            slug = path.split("/")[2]
            title = f"{_SLUG_TO_TYPE.get(slug, slug.title())} – {SHOP_NAME}"
        elif path.startswith("/search"):
            title = f"Search – {SHOP_NAME}"
        _TITLES[path] = title
    return title


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
            {
                "title": PRODUCTS[i].title,
                "quantity": q,
                "variant": {
                    "id": str(PRODUCTS[i].variant_id),
                    "sku": PRODUCTS[i].sku,
                    "price": _money(PRODUCTS[i].price_cents),
                },
            }
            for i, q in cart
        ],
    }
