"""Other documented shapes of the same exports, and the messes real folders carry.

`cdp demo-data --variants` writes the ordinary demo exports, then rewrites part of them the way
other tool versions, regions and trackers write the same facts (docs/sources.md and
tests/fixtures/variants/README.md name the documentation each shape follows):

- Square customer directory: half of it as an older export with `Email Unsubscribed`
  (True/False, help article 6149, US/CA), the rest with `Email Subscription Status` in any case,
  padded, and `Unknown` (help 6632); one item-details export under a download name no pattern
  knows (recognised by its header);
- Shopify orders: half of them as a GraphQL Admin API bulk operation (JSON Lines, `gid://` ids,
  camelCase fields, upper-case enums, line items as lines of their own with `__parentId`);
  financial status and currency of REST orders in other cases;
- storefront events: some months as Segment (analytics.js) calls and some as RudderStack
  calls instead of Web Pixel events: `page` calls, `identify` calls (on login, with the
  account's email; at checkout, with the email the shopper typed), e-commerce `track` calls
  (`Product Viewed`, `Product Added`, `Checkout Started`, `Order Completed`), `anonymousId`,
  `userId` for logged-in shoppers;
- Mailchimp audience export: merge fields headed by their tags (`FNAME`, `LNAME`, `PHONE`) in
  the subscribed file, an extra merge field, and the current file names
  (`<status>_email_audience_export_<id>.csv`);
- identifier hygiene (docs/identity.md): some emails with a trailing tab, a no-break space, a
  zero-width space, `mailto:`, `Name <address>` or quotes, some phones with `tel:` or no-break
  spaces — all normalise back to the ground truth.

Only the form changes: every person, record and identifier of the ground truth is still there.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cdp.demo_data.writers import FileLog, WrittenFile

NBSP = "\u00a0"
ZERO_WIDTH_SPACE = "\u200b"


@dataclass
class VariantContext:
    """The landing folder being rewritten, the RNG of the variants and the generator's file log."""

    landing_dir: Path
    rng: random.Random
    log: FileLog
    applied: list[str] = field(default_factory=list)
    emails_by_customer: dict[str, str] = field(default_factory=dict)
    """Shopify customer id → email, for the `identify` calls a tracker sends on login."""

    def replace(self, old: Path | None, new: Path, records: int) -> None:
        """Records that `new` (with `records` records) takes the place of `old` in the log."""
        self.log.files = [
            f for f in self.log.files if f.path not in (old, new)
        ]  # a rewritten file is listed once, under its new name
        self.log.files.append(WrittenFile(new, records))


# ------------------------------------------------------------------------------------- helpers


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> int:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    path.write_text(out.getvalue(), encoding="utf-8")
    return count


def _write_lines(path: Path, records: Iterable[dict]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def messy_email(email: str, rng: random.Random) -> str:
    """The same address as a form, a spreadsheet or a copy-paste leaves it."""
    shape = rng.randrange(7)
    if shape == 0:
        return email + "\t"
    if shape == 1:
        return email + NBSP
    if shape == 2:
        return ZERO_WIDTH_SPACE + email
    if shape == 3:
        return "mailto:" + email
    if shape == 4:
        return f"Customer <{email}>"
    if shape == 5:
        return f'"{email}"'
    return email.upper()


def messy_phone(phone: str, rng: random.Random) -> str:
    shape = rng.randrange(3)
    if shape == 0:
        return "tel:" + phone.replace(" ", "")
    if shape == 1:
        return phone.replace(" ", NBSP).replace("-", NBSP) + NBSP
    return phone + "\t"


def _mess_column(
    rows: list[list[str]], column: int, rng: random.Random, share: float, messy
) -> int:
    changed = 0
    for row in rows:
        if column < len(row) and row[column].strip() and rng.random() < share:
            row[column] = messy(row[column], rng)
            changed += 1
    return changed


# -------------------------------------------------------------------------------- Square


def square_customers(ctx: VariantContext) -> None:
    """Older directory export (`Email Unsubscribed`) for half the customers, the current one
    with statuses in any case for the rest; messy emails and phones in both."""
    for path in sorted((ctx.landing_dir / "square").glob("customers-*.csv")):
        header, rows = _read_csv(path)
        status = header.index("Email Subscription Status")
        email, phone = header.index("Email Address"), header.index("Phone Number")
        _mess_column(rows, email, ctx.rng, 0.15, messy_email)
        _mess_column(rows, phone, ctx.rng, 0.10, messy_phone)
        older, current = rows[: len(rows) // 2], rows[len(rows) // 2 :]
        old_header = [*header[:status], "Email Unsubscribed", *header[status + 1 :]]
        flags = {"Unsubscribed": "True", "Subscribed": "False"}
        for row in older:
            row[status] = flags.get(row[status].strip(), "")
        for row in current:
            value = row[status].strip()
            if value:
                row[status] = ctx.rng.choice((value.lower(), value.upper(), f" {value} ", value))
            elif ctx.rng.random() < 0.3:
                row[status] = "Unknown"
        old_path = path.with_name("customers-2024-12-31.csv")
        ctx.replace(None, old_path, _write_csv(old_path, old_header, older))
        ctx.replace(path, path, _write_csv(path, header, current))
    ctx.applied.append("square_customers_old_and_any_case")


def square_item_details_download_name(ctx: VariantContext) -> None:
    """One item-details export saved under the name the browser gave it."""
    files = sorted((ctx.landing_dir / "square").glob("items-*.csv"))
    if not files:
        return
    path = ctx.rng.choice(files)
    target = path.with_name("item-sales-detail-" + path.name.removeprefix("items-"))
    path.rename(target)
    records = next((f.records for f in ctx.log.files if f.path == path), 0)
    ctx.replace(path, target, records)
    ctx.applied.append("square_items_download_name")


# -------------------------------------------------------------------------------- Shopify


def _gid(kind: str, value: object) -> str | None:
    return None if value in (None, "") else f"gid://shopify/{kind}/{value}"


def _money(amount: object, currency: str) -> dict | None:
    if amount in (None, ""):
        return None
    return {"shopMoney": {"amount": str(amount), "currencyCode": currency}}


def _enum(value: object) -> str | None:
    return None if value in (None, "") else str(value).upper()


def _address(address: dict | None) -> dict | None:
    if not address:
        return None
    return {
        "firstName": address.get("first_name"),
        "lastName": address.get("last_name"),
        "company": address.get("company"),
        "address1": address.get("address1"),
        "address2": address.get("address2"),
        "city": address.get("city"),
        "province": address.get("province"),
        "provinceCode": address.get("province_code"),
        "country": address.get("country"),
        "countryCodeV2": address.get("country_code"),
        "zip": address.get("zip"),
        "phone": address.get("phone"),
    }


def _consent(consent: dict | None) -> dict | None:
    if not consent:
        return None
    return {
        "marketingState": _enum(consent.get("state")),
        "marketingOptInLevel": _enum(consent.get("opt_in_level")),
        "consentUpdatedAt": consent.get("consent_updated_at"),
    }


def graphql_order_lines(order: dict) -> list[dict]:
    """One REST order as the lines of a GraphQL Admin API bulk operation (Order 2024-10+)."""
    currency = order.get("currency") or "USD"
    customer = order.get("customer") or None
    order_gid = _gid("Order", order["id"])
    record = {
        "id": order_gid,
        "name": order.get("name"),
        "email": order.get("email"),
        "phone": order.get("phone"),
        "createdAt": order.get("created_at"),
        "processedAt": order.get("processed_at"),
        "updatedAt": order.get("updated_at"),
        "cancelledAt": order.get("cancelled_at"),
        "cancelReason": _enum(order.get("cancel_reason")),
        "closedAt": order.get("closed_at"),
        "currencyCode": currency,
        "displayFinancialStatus": _enum(order.get("financial_status")),
        "displayFulfillmentStatus": _enum(order.get("fulfillment_status") or "unfulfilled"),
        "totalPriceSet": _money(order.get("total_price"), currency),
        "subtotalPriceSet": _money(order.get("subtotal_price"), currency),
        "totalTaxSet": _money(order.get("total_tax"), currency),
        "totalDiscountsSet": _money(order.get("total_discounts"), currency),
        "sourceName": order.get("source_name"),
        "checkoutToken": order.get("checkout_token"),
        "clientIp": order.get("browser_ip"),
        "tags": [t.strip() for t in (order.get("tags") or "").split(",") if t.strip()],
        "customer": None
        if customer is None
        else {
            "id": _gid("Customer", customer.get("id")),
            "email": customer.get("email"),
            "firstName": customer.get("first_name"),
            "lastName": customer.get("last_name"),
            "phone": customer.get("phone"),
            "createdAt": customer.get("created_at"),
            "emailMarketingConsent": _consent(customer.get("email_marketing_consent")),
            "smsMarketingConsent": _consent(customer.get("sms_marketing_consent")),
        },
        "billingAddress": _address(order.get("billing_address")),
        "shippingAddress": _address(order.get("shipping_address")),
        "refunds": [
            {
                "id": _gid("Refund", refund["id"]),
                "createdAt": refund.get("created_at"),
                "totalRefundedSet": _money(
                    sum(
                        float(t.get("amount") or 0)
                        for t in refund.get("transactions") or []
                        if t.get("kind") == "refund" and t.get("status", "success") == "success"
                    ),
                    currency,
                ),
            }
            for refund in order.get("refunds") or []
        ],
    }
    lines = [record]
    for item in order.get("line_items") or []:
        lines.append(
            {
                "id": _gid("LineItem", item["id"]),
                "name": item.get("name"),
                "title": item.get("title"),
                "sku": item.get("sku"),
                "vendor": item.get("vendor"),
                "quantity": item.get("quantity"),
                "variant": {"id": _gid("ProductVariant", item.get("variant_id"))},
                "product": {"id": _gid("Product", item.get("product_id"))},
                "originalUnitPriceSet": _money(item.get("price"), currency),
                "__parentId": order_gid,
            }
        )
    return lines


def shopify_orders(ctx: VariantContext) -> None:
    """Half the orders of each REST page as a GraphQL bulk operation's JSON Lines; the REST
    half with financial status and currency as other tool versions write them."""
    for path in sorted((ctx.landing_dir / "shopify").glob("orders_*.json")):
        orders = json.loads(path.read_text(encoding="utf-8"))["orders"]
        for order in orders:
            customer = order.get("customer") or {}
            if customer.get("id") and customer.get("email"):
                ctx.emails_by_customer[str(customer["id"])] = customer["email"]
        rest, bulk = orders[: len(orders) // 2], orders[len(orders) // 2 :]
        for order in rest:
            if order.get("financial_status") and ctx.rng.random() < 0.3:
                order["financial_status"] = order["financial_status"].replace("_", " ").title()
            if order.get("currency") and ctx.rng.random() < 0.2:
                order["currency"] = order["currency"].lower()
            for key in ("email", "contact_email"):
                if order.get(key) and ctx.rng.random() < 0.1:
                    order[key] = messy_email(order[key], ctx.rng)
        path.write_text(
            json.dumps({"orders": rest}, ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )
        ctx.replace(path, path, len(rest))
        bulk_path = path.with_name(path.stem + "_bulk.jsonl")
        lines = [line for order in bulk for line in graphql_order_lines(order)]
        _write_lines(bulk_path, lines)
        ctx.replace(None, bulk_path, len(lines))
    ctx.applied.append("shopify_orders_graphql_bulk")


def _shopify_customer_emails(ctx: VariantContext) -> None:
    path = ctx.landing_dir / "shopify" / "customers_export.csv"
    if not path.exists():
        return
    header, rows = _read_csv(path)
    key, email = header.index("Customer ID"), header.index("Email")
    for row in rows:
        if row[email].strip():
            ctx.emails_by_customer.setdefault(row[key].lstrip("'"), row[email].strip())


_TRACK_NAMES = {
    "product_viewed": "Product Viewed",
    "product_added_to_cart": "Product Added",
    "collection_viewed": "Product List Viewed",
    "search_submitted": "Products Searched",
    "checkout_started": "Checkout Started",
    "checkout_completed": "Order Completed",
}


def _tracker_context(event: dict, rudderstack: bool) -> dict:
    document = event.get("context", {}).get("document", {})
    navigator = event.get("context", {}).get("navigator", {})
    screen = event.get("context", {}).get("window", {}).get("screen", {})
    href = document.get("location", {}).get("href")
    library = (
        {"name": "RudderLabs JavaScript SDK", "version": "3.7.2"}
        if rudderstack
        else {"name": "analytics.js", "version": "next-1.70.0"}
    )
    return {
        "library": library,
        "page": {
            "url": href,
            "path": href.split("://", 1)[-1].split("/", 1)[-1].split("?")[0] if href else None,
            "referrer": document.get("referrer"),
            "title": document.get("title"),
        },
        "userAgent": navigator.get("userAgent"),
        "locale": navigator.get("language"),
        "screen": {"width": screen.get("width"), "height": screen.get("height")},
    }


def _properties(event: dict) -> dict:
    data = event.get("data") or {}
    if "productVariant" in data or "cartLine" in data:
        variant = data.get("productVariant") or data["cartLine"].get("merchandise") or {}
        product = variant.get("product") or {}
        return {
            "product_id": product.get("id"),
            "variant": variant.get("title"),
            "sku": variant.get("sku"),
            "name": product.get("title"),
            "price": (variant.get("price") or {}).get("amount"),
            "category": product.get("type"),
            "quantity": (data.get("cartLine") or {}).get("quantity", 1),
        }
    if "checkout" in data:
        checkout = data["checkout"]
        total = checkout.get("totalPrice") or {}
        properties = {
            "checkout_id": checkout.get("token"),
            "total": total.get("amount"),
            "currency": total.get("currencyCode"),
        }
        if checkout.get("order"):
            properties["order_id"] = checkout["order"].get("id")
        return properties
    if "searchResult" in data:
        return {"query": data["searchResult"].get("query")}
    if "collection" in data:
        return {
            "list_id": data["collection"].get("id"),
            "category": data["collection"].get("title"),
        }
    return {}


def tracker_calls(
    event: dict,
    emails_by_customer: dict[str, str],
    rudderstack: bool,
    identified: set[tuple[str, str]] | None = None,
) -> list[dict]:
    """One Web Pixel event as the Segment-spec calls a tracker would have sent for it.

    A logged-in shopper is identified once per browser (`identify` with the userId and the
    account's email, as the trackers' Shopify sources do on login); `identified` remembers the
    (browser, customer) pairs already identified."""
    common = {
        "anonymousId": event["clientId"],
        "messageId": event["id"].replace("sh-", "rs-" if rudderstack else "ajs-next-", 1),
        "timestamp": event["timestamp"],
        "originalTimestamp": event["timestamp"],
        "context": _tracker_context(event, rudderstack),
    }
    if rudderstack:
        common["channel"] = "web"
        common["rudderId"] = event["clientId"]
    customer = event.get("customerId")
    if customer:
        common["userId"] = str(customer)
    calls = []
    if customer and identified is not None and (event["clientId"], str(customer)) not in identified:
        identified.add((event["clientId"], str(customer)))
        account_email = emails_by_customer.get(str(customer))
        if account_email:
            calls.append(
                {
                    **common,
                    "type": "identify",
                    "messageId": common["messageId"] + "-login",
                    "traits": {"email": account_email},
                }
            )
    checkout = (event.get("data") or {}).get("checkout") or {}
    email = checkout.get("email") or (emails_by_customer.get(str(customer)) if customer else None)
    if event["name"] == "checkout_started" and (email or checkout.get("phone")):
        # The shopper typed the address at checkout: the tracker identifies them.
        traits = {k: v for k, v in (("email", email), ("phone", checkout.get("phone"))) if v}
        calls.append(
            {
                **common,
                "type": "identify",
                "messageId": common["messageId"] + "-id",
                "traits": traits,
            }
        )
    if event["name"] == "page_viewed":
        page = common["context"]["page"]
        calls.append(
            {
                **common,
                "type": "page",
                "name": page.get("title"),
                "properties": {k: page.get(k) for k in ("url", "path", "referrer", "title")},
            }
        )
    elif event["name"] in _TRACK_NAMES:
        call = {**common, "type": "track", "event": _TRACK_NAMES[event["name"]]}
        call["properties"] = _properties(event)
        if email and event["name"].startswith("checkout"):
            call["context"] = {**call["context"], "traits": {"email": email}}
        calls.append(call)
    return calls


def web_events_as_trackers(ctx: VariantContext) -> None:
    """Every third month of storefront events from Segment, the next from RudderStack."""
    files = sorted((ctx.landing_dir / "shopify").glob("web_events_*.jsonl"))
    for index, path in enumerate(files):
        if index % 3 == 2:
            continue  # stays Web Pixel events
        rudderstack = index % 3 == 1
        month = path.stem.removeprefix("web_events_")
        with path.open(encoding="utf-8") as handle:
            events = [json.loads(line) for line in handle if line.strip()]
        identified: set[tuple[str, str]] = set()
        calls = [
            call
            for event in events
            for call in tracker_calls(event, ctx.emails_by_customer, rudderstack, identified)
        ]
        target = path.with_name(f"{'rudder' if rudderstack else 'segment'}_events_{month}.jsonl")
        _write_lines(target, calls)
        path.unlink()
        ctx.replace(path, target, len(calls))
    ctx.applied.append("web_events_segment_and_rudderstack")


# -------------------------------------------------------------------------------- Mailchimp

_MERGE_TAGS = {"First Name": "FNAME", "Last Name": "LNAME", "Phone Number": "PHONE"}


def mailchimp_audience(ctx: VariantContext) -> None:
    """Current export file names, merge tags as headers in the subscribed file, an extra merge
    field, and messy emails."""
    folder = ctx.landing_dir / "mailchimp"
    for path in sorted(folder.glob("*_members_export_*.csv")):
        status, _, suffix = path.stem.partition("_members_export_")
        header, rows = _read_csv(path)
        _mess_column(rows, header.index("Email Address"), ctx.rng, 0.08, messy_email)
        if status == "subscribed":
            header = [_MERGE_TAGS.get(h, h) for h in header]
            position = header.index("Birthday") + 1
            header.insert(position, "Company")
            for row in rows:
                row.insert(position, ctx.rng.choice(("", "", "Acme Corp", "Globex", "Initech")))
        target = folder / f"{status}_email_audience_export_{suffix}.csv"
        count = _write_csv(target, header, rows)
        path.unlink()
        ctx.replace(path, target, count)
    ctx.applied.append("mailchimp_audience_current_names_and_tags")


def shopify_customer_messes(ctx: VariantContext) -> None:
    """Messy emails and phones in the Shopify customer export."""
    path = ctx.landing_dir / "shopify" / "customers_export.csv"
    if not path.exists():
        return
    header, rows = _read_csv(path)
    _mess_column(rows, header.index("Email"), ctx.rng, 0.1, messy_email)
    _mess_column(rows, header.index("Phone"), ctx.rng, 0.1, messy_phone)
    ctx.replace(path, path, _write_csv(path, header, rows))
    ctx.applied.append("shopify_customers_messy_identifiers")


VARIANTS: tuple[Callable[[VariantContext], None], ...] = (
    # Emails by customer id are read before the order and customer files change.
    _shopify_customer_emails,
    shopify_orders,
    web_events_as_trackers,
    shopify_customer_messes,
    square_customers,
    square_item_details_download_name,
    mailchimp_audience,
)


def apply_variants(landing_dir: Path, log: FileLog, rng: random.Random) -> list[str]:
    """Rewrites part of the demo exports in `landing_dir` into their other documented shapes;
    returns the names of the variants applied. The file log follows every rename."""
    ctx = VariantContext(Path(landing_dir), rng, log)
    for variant in VARIANTS:
        variant(ctx)
    return ctx.applied
