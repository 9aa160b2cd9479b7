"""The registry of raw tables: which files feed each one and how they are read.

Formats follow docs/sources.md (the tools' own export formats). Every raw column is text; the
loader adds lineage columns. CSV sources list the tool's headers in the tool's order; JSON
sources map raw columns to JSON paths inside one record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path

from ingestion.naming import header_key, snake_case

LINEAGE_COLUMNS = ("_extra", "_source_file", "_source_row", "_file_sha256", "_loaded_at")

Required = str | tuple[str, ...]
"""A required header (or raw column); a tuple means any one of them."""


def describe_required(item: Required) -> str:
    """`'EUID'`, or `'Customer ID' or 'Email'` for an any-of requirement."""
    names = item if isinstance(item, tuple) else (item,)
    return " or ".join(repr(name) for name in names)


@dataclass
class HeaderMatch:
    """How a file's header lines up with a CSV format."""

    headers: list[str]
    positions: dict[str, int]
    """raw column → position of the file's column that feeds it."""
    unknown: list[tuple[int, str]]
    """(position, header) of columns the format does not know: kept in `_extra`."""
    missing: list[str]
    """Required headers (described) the file lacks."""
    aliased: list[tuple[str, str]]
    """(header as written, canonical header) for columns matched through an alias."""

    @property
    def known_share(self) -> float:
        """Share of the file's non-empty headers the format knows."""
        named = [h for h in self.headers if h.strip()]
        return len(self.positions) / len(named) if named else 0.0


@dataclass(frozen=True)
class CsvFormat:
    headers: tuple[str, ...]
    """Every header the tool can write, in its order; raw columns are their snake_case."""
    required: tuple[Required, ...]
    """Headers a file must have (a tuple: any one of them); the others may be absent (e.g.
    UNSUB_* only in unsubscribed)."""
    derived: dict[str, dict[str, str]] = field(default_factory=dict)
    """Extra raw columns computed from the file name: raw column → {stem-pattern: value}."""
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Canonical header → other headers for the same column (another tool version, region or
    language, a renamed merge field). Headers are compared with `naming.header_key`: case,
    accents, spaces and punctuation never matter."""
    name: str = ""
    """What a user calls this export (used in reports)."""

    @property
    def columns(self) -> list[str]:
        return [snake_case(h) for h in self.headers] + list(self.derived)

    @cached_property
    def _by_key(self) -> dict[str, tuple[str, str, bool]]:
        """header key → (raw column, canonical header, is an alias)."""
        found: dict[str, tuple[str, str, bool]] = {}
        for header in self.headers:
            found[header_key(header)] = (snake_case(header), header, False)
        for header, others in self.aliases.items():
            for other in others:
                key = header_key(other)
                if key in found and found[key][1] != header:
                    raise ValueError(f"alias {other!r} of {header!r} is already {found[key][1]!r}")
                found.setdefault(key, (snake_case(header), header, True))
        return found

    def match(self, headers: list[str]) -> HeaderMatch:
        """Which file column feeds which raw column. A canonical header wins over an alias of the
        same column; a second header for a column already fed is kept in `_extra`."""
        positions: dict[str, int] = {}
        aliased: list[tuple[str, str]] = []
        claimed: set[int] = set()
        for want_alias in (False, True):
            for position, header in enumerate(headers):
                entry = self._by_key.get(header_key(header))
                if entry is None or entry[2] != want_alias or entry[0] in positions:
                    continue
                positions[entry[0]] = position
                claimed.add(position)
                if want_alias:
                    aliased.append((header, entry[1]))
        unknown = [(i, h) for i, h in enumerate(headers) if i not in claimed]
        missing = [
            describe_required(item)
            for item in self.required
            if not any(
                snake_case(h) in positions for h in (item if isinstance(item, tuple) else (item,))
            )
        ]
        return HeaderMatch(list(headers), positions, unknown, missing, aliased)

    @property
    def known_headers(self) -> tuple[str, ...]:
        """Every header (canonical or alias) this format recognises."""
        return self.headers + tuple(a for others in self.aliases.values() for a in others)


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
    child_columns: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    """raw column → JSON path inside a child element."""
    child_filter: str | None = None
    """Optional SQL expression over `c` (the child JSON) restricting which children become rows."""
    record_filter: str | None = None
    """Optional SQL over `r` (the record's JSON text) telling this table's records from other
    records of the same file (a bulk operation's nested lines). Records it rejects are counted
    in the file's message, never loaded here. Must be written with `try(...)` so a line that is
    not JSON still reaches the table that quarantines it."""
    name: str = ""
    """What a user calls this shape (used in notes and reports)."""
    usual_shape: str | None = None
    """`lines` or `document`: the shape the tool usually writes (default: from `root_key`)."""

    @property
    def expected_shape(self) -> str:
        return self.usual_shape or ("lines" if self.root_key is None else "document")

    @property
    def record_keys(self) -> set[str]:
        """Top-level keys of a record that this format reads."""
        paths = [
            p
            for value in self.columns.values()
            for p in (value if isinstance(value, tuple) else (value,))
        ]
        if self.child_path:
            paths.append(self.child_path)
        return {p.split(".")[1].split("[")[0] for p in paths if p.startswith("$.")}


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
    not_empty: tuple[Required, ...] | None = None
    """Raw columns without which a record cannot be used (default: the natural key; a tuple:
    any one of them). A record with any of them empty is quarantined, not loaded."""
    phone_columns: tuple[str, ...] = ()
    variants: tuple[JsonFormat, ...] = ()
    """Other record shapes of the same raw table (another tool writing the same kind of data,
    another API). Each file is read with the shape its records match best."""
    parent: str | None = None
    """The table whose files this one reads rows out of (line items out of orders): that table
    quarantines what cannot be read, and this one follows its file recognition."""

    @property
    def required_fields(self) -> tuple[Required, ...]:
        return self.key_columns if self.not_empty is None else self.not_empty

    @property
    def formats(self) -> tuple[CsvFormat | JsonFormat, ...]:
        return (self.format, *self.variants)

    @property
    def columns(self) -> list[str]:
        found: list[str] = []
        for fmt in self.formats:
            names = (
                fmt.columns if isinstance(fmt, CsvFormat) else [*fmt.columns, *fmt.child_columns]
            )
            found += [c for c in names if c not in found]
        return found

    @property
    def label(self) -> str:
        """`Square customer directory export (square_customers)`."""
        name = getattr(self.format, "name", "") or self.description.rstrip(".")
        return f"{name} ({self.table})"

    def matches(self, path: Path) -> bool:
        return any(fnmatch(path.name.lower(), pattern) for pattern in self.file_patterns)

    def files(self, landing_dir: Path) -> list[Path]:
        """Files named like this source's exports, plus files of its tool folder named like no
        export at all whose content clearly is this source's (ingestion/recognition.py)."""
        folders = tool_folders(landing_dir, self.tool)
        if not folders:
            return []
        from ingestion.recognition import recognised_files  # recognition reads this registry

        named = [p for f in folders for p in f.rglob("*") if p.is_file() and self.matches(p)]
        return sorted({*named, *recognised_files(self, landing_dir)})


def tool_folders(landing_dir: Path, tool: str) -> list[Path]:
    """The landing folder's folders of `tool`, however they were named: `square/`, `Square/`,
    `SHOPIFY/` or `Mail Chimp/` (people and sync tools create them; compared as headers are)."""
    if not landing_dir.is_dir():
        return []
    key = header_key(tool)
    return sorted(
        child for child in landing_dir.iterdir() if child.is_dir() and header_key(child.name) == key
    )


def tool_of_folder(name: str) -> str | None:
    """The tool a landing sub-folder belongs to (`Square` → `square`), or None."""
    return {header_key(spec.tool): spec.tool for spec in SOURCES.values()}.get(header_key(name))


# An audience export: contact fields, then the columns of the status the file lists, then
# Mailchimp's own ids, notes and tags.
_MAILCHIMP_CONTACT_COLUMNS = (
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "Birthday",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "OPTIN_IP",
    "CONFIRM_TIME",
    "CONFIRM_IP",
    "LATITUDE",
    "LONGITUDE",
    "GMTOFF",
    "DSTOFF",
    "TIMEZONE",
    "CC",
    "REGION",
)
_MAILCHIMP_STATUS_COLUMNS = {
    "subscribed": ("LAST_CHANGED",),
    "unsubscribed": (
        "UNSUB_TIME",
        "UNSUB_CAMPAIGN_TITLE",
        "UNSUB_CAMPAIGN_ID",
        "UNSUB_REASON",
        "UNSUB_REASON_OTHER",
    ),
    "cleaned": ("CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"),
}
_MAILCHIMP_ADMIN_COLUMNS = ("LEID", "EUID", "NOTES", "TAGS")
# Today's export of each status file (what the demo data writes too).
MAILCHIMP_MEMBER_HEADERS: dict[str, tuple[str, ...]] = {
    status: (*_MAILCHIMP_CONTACT_COLUMNS, *columns, *_MAILCHIMP_ADMIN_COLUMNS)
    for status, columns in _MAILCHIMP_STATUS_COLUMNS.items()
}
_MAILCHIMP_KNOWN_HEADERS = (
    *_MAILCHIMP_CONTACT_COLUMNS,
    *(column for columns in _MAILCHIMP_STATUS_COLUMNS.values() for column in columns),
    *_MAILCHIMP_ADMIN_COLUMNS,
)

# A merge field's column is headed by its *label*, which the account may rename or write in its
# own language; the merge tag (FNAME, …) is the other name people use. docs/sources.md lists
# where each alias comes from.
_MAILCHIMP_MEMBER_ALIASES = {
    "Email Address": (
        "Email",
        "E-mail",
        "EMAIL",
        "E-Mail-Adresse",
        "Adresse e-mail",
        "Adresse courriel",
        "Correo electrónico",
        "Indirizzo email",
        "Endereço de e-mail",
    ),
    "First Name": ("FNAME", "Given Name", "Vorname", "Prénom", "Nombre", "Nome"),
    "Last Name": (
        "LNAME",
        "Surname",
        "Family Name",
        "Nachname",
        "Nom",
        "Nom de famille",
        "Apellido",
        "Apellidos",
        "Cognome",
        "Sobrenome",
    ),
    "Address": ("ADDRESS", "Adresse", "Dirección", "Indirizzo", "Endereço"),
    "Phone Number": (
        "PHONE",
        "Phone",
        "Telephone",
        "Téléphone",
        "Telefon",
        "Telefonnummer",
        "Teléfono",
        "Telefono",
        "Telefone",
    ),
    "Birthday": (
        "BIRTHDAY",
        "Birthdate",
        "Date of Birth",
        "Geburtstag",
        "Anniversaire",
        "Cumpleaños",
        "Compleanno",
        "Aniversário",
    ),
}

_MAILCHIMP_STATUS_FILES = {
    "subscribed": ("subscribed_members_export_*", "subscribed_email_audience_export_*"),
    "unsubscribed": ("unsubscribed_members_export_*", "unsubscribed_email_audience_export_*"),
    "cleaned": ("cleaned_members_export_*", "cleaned_email_audience_export_*"),
    "nonsubscribed": ("nonsubscribed_email_audience_export_*",),
}

# Today's customers export (what the demo data writes too).
SHOPIFY_CUSTOMER_HEADERS = (
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
)
_SHOPIFY_CUSTOMER_KNOWN_HEADERS = (
    *SHOPIFY_CUSTOMER_HEADERS,
    # Older exports (before the 2022 split of marketing consent) and the import template.
    "Accepts Marketing",
    "Default Address Province",
    "Default Address Country",
)

# The export before 2023 (and Shopify's import template) name the default address's columns
# without the `Default Address` prefix.
_SHOPIFY_CUSTOMER_ALIASES = {
    "Default Address Company": ("Company",),
    "Default Address Address1": ("Address1",),
    "Default Address Address2": ("Address2",),
    "Default Address City": ("City",),
    "Default Address Province": ("Province",),
    "Default Address Province Code": ("Province Code",),
    "Default Address Country": ("Country",),
    "Default Address Country Code": ("Country Code",),
    "Default Address Zip": ("Zip",),
}

# Today's transactions export (what the demo data writes too).
SQUARE_TRANSACTION_HEADERS = (
    "Date",
    "Time",
    "Time Zone",
    "Gross Sales",
    "Discounts",
    "Service Charges",
    "Net Sales",
    "Gift Card Sales",
    "Tax",
    "Tip",
    "Partial Refunds",
    "Total Collected",
    "Source",
    "Card",
    "Card Entry Methods",
    "Cash",
    "Square Gift Card",
    "Other Tender",
    "Other Tender Type",
    "Tender Note",
    "Fees",
    "Net Total",
    "Transaction ID",
    "Payment ID",
    "Card Brand",
    "PAN Suffix",
    "Device Name",
    "Staff Name",
    "Staff ID",
    "Details",
    "Description",
    "Event Type",
    "Location",
    "Dining Option",
    "Customer ID",
    "Customer Name",
    "Customer Reference ID",
    "Device Nickname",
    "Third Party Fees",
    "Deposit ID",
    "Deposit Date",
    "Deposit Details",
    "Fee Percentage Rate",
    "Fee Fixed Rate",
    "Refund Reason",
    "Discount Name",
    "Transaction Status",
    "Cash App",
    "Order Reference ID",
    "Fulfillment Note",
    "Free Processing Applied",
    "Channel",
    "Unattributed Tips",
    "Table Info",
    "International Fee",
)

# Today's Item Details CSV (docs/sources.md; what the demo data writes too). Older exports lack
# GTIN, Commission and Employee: columns are read by name.
SQUARE_ITEM_HEADERS = (
    "Date",
    "Time",
    "Time Zone",
    "Category",
    "Item",
    "Qty",
    "Price Point Name",
    "SKU",
    "Modifiers Applied",
    "Gross Sales",
    "Discounts",
    "Net Sales",
    "Tax",
    "Transaction ID",
    "Payment ID",
    "Device Name",
    "Notes",
    "Details",
    "Event Type",
    "Location",
    "Dining Option",
    "Customer ID",
    "Customer Name",
    "Customer Reference ID",
    "Unit",
    "Count",
    "GTIN",
    "Itemization Type",
    "Commission",
    "Employee",
    "Fulfillment Note",
    "Channel",
    "Token",
    "Card Brand",
    "PAN Suffix",
)

# Today's customer directory export (what the demo data writes too).
SQUARE_CUSTOMER_HEADERS = (
    "Reference ID",
    "First Name",
    "Last Name",
    "Email Address",
    "Phone Number",
    "Nickname",
    "Company Name",
    "Street Address 1",
    "Street Address 2",
    "City",
    "State",
    "Postal Code",
    "Birthday",
    "Memo",
    "Square Customer ID",
    "Creation Source",
    "First Visit",
    "Last Visit",
    "Transaction Count",
    "Total Spend",
    "Email Subscription Status",
    "Instant Profile",
)
_SQUARE_CUSTOMER_KNOWN_HEADERS = (
    *SQUARE_CUSTOMER_HEADERS,
    # The older export's opt-out flag (True = unsubscribed), help article 6149 (US, CA).
    "Email Unsubscribed",
)

# Names of the same fields in Square's Customers API (`given_name`, `family_name`,
# `address.locality`, …), which exports built on that API use as headers.
_SQUARE_CUSTOMER_ALIASES = {
    "First Name": ("Given Name",),
    "Last Name": ("Family Name",),
    "Street Address 1": ("Address Line 1",),
    "Street Address 2": ("Address Line 2",),
    "City": ("Locality",),
    "State": ("Administrative District Level 1",),
    "Memo": ("Note",),
}

_ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "address1",
    "address2",
    "city",
    "province",
    "province_code",
    "country",
    "country_code",
    "zip",
    "phone",
)
# GraphQL Admin API names (MailingAddress) of the REST address fields that differ.
_GRAPHQL_ADDRESS = {
    "first_name": ("firstName",),
    "last_name": ("lastName",),
    "province_code": ("provinceCode",),
    "country_code": ("countryCodeV2", "countryCode"),
}
_CONSENT_FIELDS = ("state", "opt_in_level", "consent_updated_at")
# REST consent field → paths in the GraphQL customer (CustomerEmailMarketingConsentState and,
# from 2025-04, defaultEmailAddress / defaultPhoneNumber).
_GRAPHQL_EMAIL_CONSENT = {
    "state": ("emailMarketingConsent.marketingState", "defaultEmailAddress.marketingState"),
    "opt_in_level": (
        "emailMarketingConsent.marketingOptInLevel",
        "defaultEmailAddress.marketingOptInLevel",
    ),
    "consent_updated_at": (
        "emailMarketingConsent.consentUpdatedAt",
        "defaultEmailAddress.marketingUpdatedAt",
    ),
}
_GRAPHQL_SMS_CONSENT = {
    "state": ("smsMarketingConsent.marketingState", "defaultPhoneNumber.marketingState"),
    "opt_in_level": (
        "smsMarketingConsent.marketingOptInLevel",
        "defaultPhoneNumber.marketingOptInLevel",
    ),
    "consent_updated_at": (
        "smsMarketingConsent.consentUpdatedAt",
        "defaultPhoneNumber.marketingUpdatedAt",
    ),
    "consent_collected_from": (
        "smsMarketingConsent.consentCollectedFrom",
        "defaultPhoneNumber.marketingCollectedFrom",
    ),
}


def _paths(*paths: str) -> str | tuple[str, ...]:
    return paths[0] if len(paths) == 1 else paths


# REST order field → GraphQL Order paths, for a bulk operation's JSON Lines.
_GRAPHQL_ORDER = {
    "created_at": ("createdAt",),
    "processed_at": ("processedAt",),
    "updated_at": ("updatedAt",),
    "cancelled_at": ("cancelledAt",),
    "cancel_reason": ("cancelReason",),
    "closed_at": ("closedAt",),
    "currency": ("currencyCode", "totalPriceSet.shopMoney.currencyCode"),
    "financial_status": ("displayFinancialStatus",),
    "fulfillment_status": ("displayFulfillmentStatus",),
    "total_price": ("totalPriceSet.shopMoney.amount",),
    "subtotal_price": ("subtotalPriceSet.shopMoney.amount",),
    "total_tax": ("totalTaxSet.shopMoney.amount",),
    "total_discounts": ("totalDiscountsSet.shopMoney.amount",),
    "source_name": ("sourceName",),
    "landing_site": ("customerJourneySummary.firstVisit.landingPage", "landingPageUrl"),
    "referring_site": ("customerJourneySummary.firstVisit.referrerUrl", "referrerUrl"),
    "browser_ip": ("clientIp",),
    # Order.checkoutToken (GraphQL Admin 2026-07 changelog "New checkoutToken field added to the
    # Order object"): links the order to its storefront checkout, as REST's checkout_token.
    "checkout_token": ("checkoutToken",),
}
_GRAPHQL_CUSTOMER = {
    "email": ("defaultEmailAddress.emailAddress",),
    "first_name": ("firstName",),
    "last_name": ("lastName",),
    "phone": ("defaultPhoneNumber.phoneNumber",),
    "created_at": ("createdAt",),
}

_ORDER_COLUMNS: dict[str, str | tuple[str, ...]] = {
    **{
        name: _paths(f"$.{name}", *(f"$.{p}" for p in _GRAPHQL_ORDER.get(name, ())))
        for name in (
            "id",
            "name",
            "email",
            "phone",
            "created_at",
            "processed_at",
            "updated_at",
            "cancelled_at",
            "cancel_reason",
            "closed_at",
            "currency",
            "financial_status",
            "fulfillment_status",
            "total_price",
            "subtotal_price",
            "total_tax",
            "total_discounts",
            "source_name",
            "landing_site",
            "referring_site",
            "browser_ip",
            "checkout_token",
            "tags",
        )
    },
    **{
        f"customer__{name}": _paths(
            f"$.customer.{name}", *(f"$.customer.{p}" for p in _GRAPHQL_CUSTOMER.get(name, ()))
        )
        for name in ("id", "email", "first_name", "last_name", "phone", "created_at")
    },
    **{
        f"customer__email_marketing_consent__{name}": _paths(
            f"$.customer.email_marketing_consent.{name}",
            *(f"$.customer.{p}" for p in _GRAPHQL_EMAIL_CONSENT[name]),
        )
        for name in _CONSENT_FIELDS
    },
    **{
        f"customer__sms_marketing_consent__{name}": _paths(
            f"$.customer.sms_marketing_consent.{name}",
            *(f"$.customer.{p}" for p in _GRAPHQL_SMS_CONSENT[name]),
        )
        for name in (*_CONSENT_FIELDS, "consent_collected_from")
    },
    **{
        f"{side}_address__{name}": _paths(
            f"$.{side}_address.{name}",
            *(f"$.{side}Address.{p}" for p in (*_GRAPHQL_ADDRESS.get(name, ()), name)),
        )
        for side in ("billing", "shipping")
        for name in _ADDRESS_FIELDS
    },
}

# In a GraphQL bulk operation's JSON Lines, nested connections (line items) are lines of their
# own with `__parentId`; only top-level Order lines (and REST orders, whose ids are numbers)
# are orders.
_ORDER_RECORDS = (
    "try(json_extract_string(r, '$.__parentId')) is null "
    "and (coalesce(try(json_extract_string(r, '$.id')), '') not like 'gid://%' "
    "or try(json_extract_string(r, '$.id')) like 'gid://shopify/Order/%')"
)
_ORDER_FILES = ("orders*.json", "orders*.jsonl", "orders*.ndjson", "bulk-*.jsonl")

_MAILCHIMP_REPORT_PARENT = {
    "campaign_id": "$.campaign_id",
    "list_id": "$.list_id",
    "email_id": "$.email_id",
    "email_address": "$.email_address",
}

# Storefront events from a Segment-spec tracker (Segment, RudderStack): common fields, page /
# screen / identify / track calls, e-commerce spec v2 properties.
_SEGMENT_EVENTS = JsonFormat(
    name="Segment-spec tracker events (Segment, RudderStack)",
    root_key="batch",
    usual_shape="lines",
    columns={
        "event_id": ("$.messageId", "$.id"),
        "event_type": "$.type",
        "event_name": "$.event",
        "page_name": "$.name",
        "event_at": ("$.timestamp", "$.originalTimestamp", "$.receivedAt"),
        "client_id": "$.anonymousId",
        "user_id": "$.userId",
        "traits_email": ("$.traits.email", "$.context.traits.email"),
        "traits_phone": ("$.traits.phone", "$.context.traits.phone"),
        "page_url": ("$.context.page.url", "$.properties.url"),
        "referrer": ("$.context.page.referrer", "$.properties.referrer"),
        "user_agent": "$.context.userAgent",
        "language": "$.context.locale",
        "screen_width": "$.context.screen.width",
        "screen_height": "$.context.screen.height",
        "checkout_token": "$.properties.checkout_id",
        "checkout_email": "$.properties.email",
        "checkout_total_amount": ("$.properties.total", "$.properties.revenue"),
        "checkout_currency": "$.properties.currency",
        "order_id": "$.properties.order_id",
        "product_id": "$.properties.product_id",
        "product_title": "$.properties.name",
        "product_price": "$.properties.price",
    },
)

_EVENT_FILES = tuple(
    f"{prefix}*.{ext}"
    for prefix in ("web_events", "segment", "rudder")
    for ext in ("jsonl", "ndjson", "json")
)


def _status_derived() -> dict[str, dict[str, str]]:
    return {
        "_member_status": {
            pattern: status
            for status, patterns in _MAILCHIMP_STATUS_FILES.items()
            for pattern in patterns
        }
    }


SOURCES: dict[str, SourceSpec] = {
    spec.table: spec
    for spec in (
        SourceSpec(
            table="mailchimp_members",
            tool="mailchimp",
            file_patterns=tuple(
                f"{pattern}.csv"
                for patterns in _MAILCHIMP_STATUS_FILES.values()
                for pattern in patterns
            ),
            format=CsvFormat(
                name="Mailchimp audience export",
                headers=_MAILCHIMP_KNOWN_HEADERS,
                required=("Email Address", "EUID"),
                derived=_status_derived(),
                aliases=_MAILCHIMP_MEMBER_ALIASES,
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
                name="Mailchimp email-activity report",
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
                name="Mailchimp sent-to report",
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
                name="Mailchimp unsubscribed report",
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
            file_patterns=_ORDER_FILES,
            format=JsonFormat(
                name="Shopify orders (REST pages, bare array or GraphQL bulk JSON Lines)",
                root_key="orders",
                columns=_ORDER_COLUMNS,
                record_filter=_ORDER_RECORDS,
            ),
            description="Shopify Admin API orders: one row per order, nested objects flattened.",
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
            file_patterns=_ORDER_FILES,
            format=JsonFormat(
                name="Shopify REST order line items",
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
                },
                record_filter=_ORDER_RECORDS,
            ),
            variants=(
                JsonFormat(
                    name="Shopify GraphQL bulk operation line items (lines with __parentId)",
                    root_key=None,
                    columns={
                        "order_id": "$.__parentId",
                        "id": "$.id",
                        "product_id": "$.product.id",
                        "variant_id": "$.variant.id",
                        "sku": ("$.sku", "$.variant.sku"),
                        "title": "$.title",
                        "vendor": "$.vendor",
                        "product_type": "$.product.productType",
                        "quantity": "$.quantity",
                        "price": (
                            "$.originalUnitPriceSet.shopMoney.amount",
                            "$.variant.price",
                        ),
                    },
                    record_filter=(
                        "try(json_extract_string(r, '$.__parentId')) like 'gid://shopify/Order/%' "
                        "and try(json_extract_string(r, '$.id')) like 'gid://shopify/LineItem/%'"
                    ),
                ),
            ),
            description="Shopify order line items: one row per line of an order.",
            key_columns=("id",),
            not_empty=("order_id", "id"),
            parent="shopify_orders",
        ),
        SourceSpec(
            table="shopify_order_refunds",
            tool="shopify",
            file_patterns=_ORDER_FILES,
            format=JsonFormat(
                name="Shopify order refunds",
                root_key="orders",
                columns={"order_id": "$.id"},
                child_path="$.refunds",
                child_columns={
                    "refund_id": "$.id",
                    "created_at": ("$.created_at", "$.createdAt"),
                    # REST: computed by the reader, the sum of the refund's successful refund
                    # transactions; GraphQL: the refund's totalRefundedSet.
                    "amount": ("@refund_amount", "$.totalRefundedSet.shopMoney.amount"),
                },
                record_filter=_ORDER_RECORDS,
            ),
            description="Shopify order refunds: one row per refund with its refunded amount.",
            key_columns=("refund_id",),
            not_empty=("order_id", "refund_id"),
            parent="shopify_orders",
        ),
        SourceSpec(
            table="shopify_products",
            tool="shopify",
            file_patterns=("products*.json",),
            format=JsonFormat(
                name="Shopify REST products",
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
                name="Shopify customers export",
                headers=_SHOPIFY_CUSTOMER_KNOWN_HEADERS,
                required=(
                    ("Customer ID", "Email"),
                    ("Accepts Email Marketing", "Accepts Marketing"),
                ),
                aliases=_SHOPIFY_CUSTOMER_ALIASES,
            ),
            description="Shopify admin customers export.",
            key_columns=("customer_id",),
            # Exports before 2023 have no Customer ID column: the email is their key.
            not_empty=(("customer_id", "email"),),
            phone_columns=("phone", "default_address_phone"),
        ),
        SourceSpec(
            table="shopify_web_events",
            tool="shopify",
            file_patterns=_EVENT_FILES,
            format=JsonFormat(
                name="Shopify Web Pixel events",
                root_key=None,
                columns={
                    "event_id": "$.id",
                    "event_type": "$.type",
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
                    "order_id": "$.data.checkout.order.id",
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
            variants=(_SEGMENT_EVENTS,),
            description="Storefront events (Web Pixel or a Segment-spec tracker), one per line.",
            key_columns=("event_id",),
            phone_columns=("checkout_phone", "traits_phone"),
        ),
        SourceSpec(
            table="square_transactions",
            tool="square",
            file_patterns=("transactions-*.csv",),
            format=CsvFormat(
                name="Square transactions export",
                headers=SQUARE_TRANSACTION_HEADERS,
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
                name="Square item details export",
                headers=SQUARE_ITEM_HEADERS,
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
                name="Square customer directory export",
                headers=_SQUARE_CUSTOMER_KNOWN_HEADERS,
                required=("Square Customer ID",),
                aliases=_SQUARE_CUSTOMER_ALIASES,
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
