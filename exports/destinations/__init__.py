"""Registry of export destinations: name (as written in segment meta) -> Destination.

To add a destination, write `exports/destinations/<name>.py` defining a `Destination` and add
it to DESTINATIONS below; `docs/exports.md` walks through it.
"""

from __future__ import annotations

from exports.destinations.base import Destination, MarketingChannel
from exports.destinations.generic import JSONL, PARQUET
from exports.destinations.google_customer_match import GOOGLE_CUSTOMER_MATCH
from exports.destinations.hubspot import HUBSPOT
from exports.destinations.mailchimp import MAILCHIMP
from exports.destinations.meta_custom_audience import META_CUSTOM_AUDIENCE
from exports.destinations.salesforce import SALESFORCE
from exports.destinations.webhook import WEBHOOK
from exports.errors import ExportError

DESTINATIONS: dict[str, Destination] = {
    d.name: d
    for d in (
        MAILCHIMP,
        HUBSPOT,
        SALESFORCE,
        GOOGLE_CUSTOMER_MATCH,
        META_CUSTOM_AUDIENCE,
        PARQUET,
        JSONL,
        WEBHOOK,
    )
}


def get_destination(name: str) -> Destination:
    """The destination called `name`, or an ExportError listing the known ones."""
    try:
        return DESTINATIONS[name]
    except KeyError:
        raise ExportError(
            f"Unknown export destination {name!r}; known destinations: "
            f"{', '.join(sorted(DESTINATIONS))}."
        ) from None


__all__ = ["DESTINATIONS", "Destination", "MarketingChannel", "get_destination"]
