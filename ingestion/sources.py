"""The registry of raw tables: which files feed each one and how they are read.

Formats follow docs/sources.md (the tools' own export formats). Every raw column is text; the
loader adds lineage columns. CSV sources list the tool's headers in the tool's order; JSON
sources map raw columns to JSON paths inside one record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from ingestion.naming import snake_case

LINEAGE_COLUMNS = ("_extra", "_source_file", "_source_row", "_file_sha256", "_loaded_at")


@dataclass(frozen=True)
class CsvFormat:
    headers: tuple[str, ...]
    """Every header the tool can write, in its order; raw columns are their snake_case."""
    required: tuple[str, ...]
    """Headers a file must have; the others may be absent (e.g. UNSUB_* only in unsubscribed)."""
    derived: dict[str, str] = field(default_factory=dict)
    """Extra raw columns computed from the file name: raw column → {stem-pattern: value}."""


@dataclass(frozen=True)
class JsonFormat:
    root_key: str | None
    """Top-level key holding the record array (`orders`); None for JSON Lines. Whatever the key,
    a file may also be a bare array of records, JSON Lines (one record per line) or wrapper
    objects one after another (saved API pages); see `ingestion/readers.py`."""
    columns: dict[str, str | tuple[str, ...]]
    """raw column → JSON path inside a record (`$.customer.id`), or paths tried in order."""
    child_path: str | None = None
    """When set, one raw row per element of this array inside each record (`$.line_items`)."""
    child_columns: dict[str, str] = field(default_factory=dict)
    """raw column → JSON path inside a child element."""
    child_filter: str | None = None
    """Optional SQL expression over `c` (the child JSON) restricting which children become rows."""


@dataclass(frozen=True)
class SourceSpec:
    table: str
    tool: str
    file_patterns: tuple[str, ...]
    format: CsvFormat | JsonFormat
    description: str
    key_columns: tuple[str, ...] = ()
    """Raw columns of the natural key staging deduplicates on (latest load wins); the loader
    reports duplicates of it inside a file and keys re-delivered by a later file."""
    not_empty: tuple[str, ...] | None = None
    """Raw columns without which a record cannot be used (default: the natural key). A record
    with any of them empty is quarantined, not loaded."""

    @property
    def required_fields(self) -> tuple[str, ...]:
        return self.key_columns if self.not_empty is None else self.not_empty

    phone_columns: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        if isinstance(self.format, CsvFormat):
            return [snake_case(h) for h in self.format.headers] + list(self.format.derived)
        return list(self.format.columns) + list(self.format.child_columns)

    def matches(self, path: Path) -> bool:
        return any(fnmatch(path.name.lower(), pattern) for pattern in self.file_patterns)

    def files(self, landing_dir: Path) -> list[Path]:
        folder = landing_dir / self.tool
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.rglob("*") if p.is_file() and self.matches(p))


_MAILCHIMP_MEMBER_HEADERS = (
    "Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday",
    "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE",
    "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED",
    "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON",
    "UNSUB_REASON_OTHER", "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID",
    "LEID", "EUID", "NOTES", "TAGS",
)  # fmt: skip

_SHOPIFY_CUSTOMER_HEADERS = (
    "Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
    "Default Address Company", "Default Address Address1", "Default Address Address2",
    "Default Address City", "Default Address Province Code", "Default Address Country Code",
    "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing",
    "Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags",
)  # fmt: skip

_SQUARE_TRANSACTION_HEADERS = (
    "Date", "Time", "Time Zone", "Gross Sales", "Discounts", "Service Charges", "Net Sales",
    "Gift Card Sales", "Tax", "Tip", "Partial Refunds", "Total Collected", "Source", "Card",
    "Card Entry Methods", "Cash", "Square Gift Card", "Other Tender", "Other Tender Type",
    "Tender Note", "Fees", "Net Total", "Transaction ID", "Payment ID", "Card Brand",
    "PAN Suffix", "Device Name", "Staff Name", "Staff ID", "Details", "Description",
    "Event Type", "Location", "Dining Option", "Customer ID", "Customer Name",
    "Customer Reference ID", "Device Nickname", "Third Party Fees", "Deposit ID", "Deposit Date",
    "Deposit Details", "Fee Percentage Rate", "Fee Fixed Rate", "Refund Reason", "Discount Name",
    "Transaction Status", "Cash App", "Order Reference ID", "Fulfillment Note",
    "Free Processing Applied", "Channel", "Unattributed Tips", "Table Info", "International Fee",
)  # fmt: skip

_SQUARE_ITEM_HEADERS = (
    "Date", "Time", "Time Zone", "Category", "Item", "Qty", "Price Point Name", "SKU",
    "Modifiers Applied", "Gross Sales", "Discounts", "Net Sales", "Tax", "Transaction ID",
    "Payment ID", "Device Name", "Notes", "Details", "Event Type", "Location",
    "Dining Option", "Customer ID", "Customer Name", "Customer Reference ID", "Unit", "Count",
    "Itemization Type",
)  # fmt: skip

_SQUARE_CUSTOMER_HEADERS = (
    "Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname",
    "Company Name", "Street Address 1", "Street Address 2", "City", "State", "Postal Code",
    "Birthday", "Memo", "Square Customer ID", "Creation Source", "First Visit", "Last Visit",
    "Transaction Count", "Total Spend", "Email Subscription Status", "Instant Profile",
)  # fmt: skip

_ADDRESS_FIELDS = (
    "first_name", "last_name", "address1", "address2", "city", "province", "province_code",
    "country", "country_code", "zip", "phone",
)  # fmt: skip
_CONSENT_FIELDS = ("state", "opt_in_level", "consent_updated_at")

_ORDER_COLUMNS: dict[str, str] = {
    **{
        name: f"$.{name}"
        for name in (
            "id", "name", "email", "phone", "created_at", "processed_at", "updated_at",
            "cancelled_at", "cancel_reason", "closed_at", "currency", "financial_status",
            "fulfillment_status", "total_price", "subtotal_price", "total_tax",
            "total_discounts", "source_name", "landing_site", "referring_site", "browser_ip",
            "checkout_token", "tags",
        )
    },
    **{
        f"customer__{name}": f"$.customer.{name}"
        for name in ("id", "email", "first_name", "last_name", "phone", "created_at")
    },
    **{
        f"customer__email_marketing_consent__{name}": f"$.customer.email_marketing_consent.{name}"
        for name in _CONSENT_FIELDS
    },
    **{
        f"customer__sms_marketing_consent__{name}": f"$.customer.sms_marketing_consent.{name}"
        for name in (*_CONSENT_FIELDS, "consent_collected_from")
    },
    **{f"billing_address__{name}": f"$.billing_address.{name}" for name in _ADDRESS_FIELDS},
    **{f"shipping_address__{name}": f"$.shipping_address.{name}" for name in _ADDRESS_FIELDS},
}  # fmt: skip

_MAILCHIMP_REPORT_PARENT = {
    "campaign_id": "$.campaign_id",
    "list_id": "$.list_id",
    "email_id": "$.email_id",
    "email_address": "$.email_address",
}

SOURCES: dict[str, SourceSpec] = {
    spec.table: spec
    for spec in (
        SourceSpec(
            table="mailchimp_members",
            tool="mailchimp",
            file_patterns=(
                "subscribed_members_export_*.csv",
                "unsubscribed_members_export_*.csv",
                "cleaned_members_export_*.csv",
            ),
            format=CsvFormat(
                headers=_MAILCHIMP_MEMBER_HEADERS,
                required=("Email Address", "EUID"),
                derived={
                    "_member_status": {
                        "subscribed_members_export_*": "subscribed",
                        "unsubscribed_members_export_*": "unsubscribed",
                        "cleaned_members_export_*": "cleaned",
                    }
                },
            ),
            description="Mailchimp audience export: one row per member and status file.",
            key_columns=("euid",),
            not_empty=("email_address", "euid"),
            phone_columns=("phone_number",),
        ),
        SourceSpec(
            table="mailchimp_email_activity",
            tool="mailchimp",
            file_patterns=("email_activity_*.json",),
            format=JsonFormat(
                root_key="emails",
                columns=_MAILCHIMP_REPORT_PARENT,
                child_path="$.activity",
                child_columns={
                    "action": "$.action",
                    "bounce_type": "$.type",
                    "activity_at": "$.timestamp",
                    "url": "$.url",
                    "ip": "$.ip",
                },
            ),
            description="Mailchimp reports API email-activity: one row per open, click or bounce.",
            key_columns=("campaign_id", "email_id", "action", "activity_at", "url"),
            not_empty=("campaign_id", "email_id", "action", "activity_at"),
        ),
        SourceSpec(
            table="mailchimp_sent_to",
            tool="mailchimp",
            file_patterns=("sent_to_*.json",),
            format=JsonFormat(
                root_key="sent_to",
                columns={
                    **_MAILCHIMP_REPORT_PARENT,
                    "status": "$.status",
                    "open_count": "$.open_count",
                    "last_open": "$.last_open",
                },
            ),
            description="Mailchimp reports API sent-to: one row per recipient of a campaign.",
            key_columns=("campaign_id", "email_id"),
        ),
        SourceSpec(
            table="mailchimp_unsubscribes",
            tool="mailchimp",
            file_patterns=("unsubscribed_*.json",),
            format=JsonFormat(
                root_key="unsubscribes",
                columns={
                    **_MAILCHIMP_REPORT_PARENT,
                    "unsubscribed_at": "$.timestamp",
                    "reason": "$.reason",
                },
            ),
            description="Mailchimp reports API unsubscribed: one row per unsubscribe.",
            key_columns=("campaign_id", "email_id"),
        ),
        SourceSpec(
            table="shopify_orders",
            tool="shopify",
            file_patterns=("orders*.json",),
            format=JsonFormat(root_key="orders", columns=_ORDER_COLUMNS),
            description="Shopify REST Admin orders: one row per order, nested objects flattened.",
            key_columns=("id",),
            phone_columns=(
                "phone",
                "customer__phone",
                "billing_address__phone",
                "shipping_address__phone",
            ),
        ),
        SourceSpec(
            table="shopify_order_line_items",
            tool="shopify",
            file_patterns=("orders*.json",),
            format=JsonFormat(
                root_key="orders",
                columns={"order_id": "$.id"},
                child_path="$.line_items",
                child_columns={
                    name: f"$.{name}"
                    for name in (
                        "id",
                        "product_id",
                        "variant_id",
                        "sku",
                        "title",
                        "vendor",
                        "product_type",
                        "quantity",
                        "price",
                    )
                },  # fmt: skip
            ),
            description="Shopify order line items: one row per line of an order.",
            key_columns=("id",),
            not_empty=("order_id", "id"),
        ),
        SourceSpec(
            table="shopify_order_refunds",
            tool="shopify",
            file_patterns=("orders*.json",),
            format=JsonFormat(
                root_key="orders",
                columns={"order_id": "$.id"},
                child_path="$.refunds",
                child_columns={
                    "refund_id": "$.id",
                    "created_at": "$.created_at",
                    # Computed by the reader: sum of the refund's successful refund transactions.
                    "amount": "@refund_amount",
                },
            ),
            description="Shopify order refunds: one row per refund with its refunded amount.",
            key_columns=("refund_id",),
            not_empty=("order_id", "refund_id"),
        ),
        SourceSpec(
            table="shopify_products",
            tool="shopify",
            file_patterns=("products*.json",),
            format=JsonFormat(
                root_key="products",
                columns={
                    name: f"$.{name}"
                    for name in ("id", "title", "handle", "vendor", "product_type", "status")
                },
                child_path="$.variants",
                child_columns={"variant_id": "$.id", "sku": "$.sku", "price": "$.price"},
            ),
            description="Shopify REST Admin products: one row per product variant.",
            key_columns=("id", "variant_id"),
        ),
        SourceSpec(
            table="shopify_customers",
            tool="shopify",
            file_patterns=("customers_export*.csv",),
            format=CsvFormat(
                headers=_SHOPIFY_CUSTOMER_HEADERS,
                required=("Customer ID", "Email", "Accepts Email Marketing"),
            ),
            description="Shopify admin customers export.",
            key_columns=("customer_id",),
            phone_columns=("phone", "default_address_phone"),
        ),
        SourceSpec(
            table="shopify_web_events",
            tool="shopify",
            file_patterns=("web_events*.jsonl", "web_events*.ndjson"),
            format=JsonFormat(
                root_key=None,
                columns={
                    "event_id": "$.id",
                    "event_name": "$.name",
                    "event_at": "$.timestamp",
                    "client_id": "$.clientId",
                    "customer_id": "$.customerId",
                    "seq": "$.seq",
                    "page_url": "$.context.document.location.href",
                    "referrer": "$.context.document.referrer",
                    "user_agent": "$.context.navigator.userAgent",
                    "language": "$.context.navigator.language",
                    "screen_width": "$.context.window.screen.width",
                    "screen_height": "$.context.window.screen.height",
                    "checkout_token": "$.data.checkout.token",
                    "checkout_email": "$.data.checkout.email",
                    "checkout_phone": "$.data.checkout.phone",
                    "checkout_total_amount": "$.data.checkout.totalPrice.amount",
                    "checkout_currency": "$.data.checkout.totalPrice.currencyCode",
                    # product_viewed carries the variant; product_added_to_cart the cart line.
                    "product_id": (
                        "$.data.productVariant.product.id",
                        "$.data.cartLine.merchandise.product.id",
                    ),
                    "product_title": (
                        "$.data.productVariant.product.title",
                        "$.data.cartLine.merchandise.product.title",
                    ),
                    "product_price": (
                        "$.data.productVariant.price.amount",
                        "$.data.cartLine.merchandise.price.amount",
                    ),
                },
            ),
            description="Storefront Web Pixel events, one JSON object per line.",
            key_columns=("event_id",),
            phone_columns=("checkout_phone",),
        ),
        SourceSpec(
            table="square_transactions",
            tool="square",
            file_patterns=("transactions-*.csv",),
            format=CsvFormat(
                headers=_SQUARE_TRANSACTION_HEADERS,
                required=("Date", "Time", "Time Zone", "Transaction ID", "Net Sales", "Location"),
            ),
            description="Square Dashboard transactions export.",
            key_columns=("transaction_id", "payment_id", "event_type", "date", "time"),
            not_empty=("transaction_id",),
        ),
        SourceSpec(
            table="square_items",
            tool="square",
            file_patterns=("items-*.csv",),
            format=CsvFormat(
                headers=_SQUARE_ITEM_HEADERS,
                required=("Date", "Time", "Time Zone", "Item", "Qty", "Transaction ID"),
            ),
            description="Square Dashboard item details export.",
            # No line id: identical itemizations are legitimate, so no duplicate report.
            not_empty=("transaction_id", "item"),
        ),
        SourceSpec(
            table="square_customers",
            tool="square",
            file_patterns=("customers-*.csv",),
            format=CsvFormat(
                headers=_SQUARE_CUSTOMER_HEADERS,
                required=("Square Customer ID",),
            ),
            description="Square customer directory export.",
            key_columns=("square_customer_id",),
            phone_columns=("phone_number",),
        ),
    )
}


def unrecognised_files(landing_dir: Path) -> list[Path]:
    """Files in the landing folder that no source claims: reported, never silently ignored."""
    if not landing_dir.is_dir():
        return []
    claimed = {path for spec in SOURCES.values() for path in spec.files(landing_dir)}
    return sorted(
        path
        for path in landing_dir.rglob("*")
        if path.is_file() and path not in claimed and not path.name.startswith(".")
    )
