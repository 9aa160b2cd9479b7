"""Registry of export destinations: name (as written in segment meta) -> Destination.

To add a destination, write `exports/destinations/<name>.py` defining a `Destination` and add
it to DESTINATIONS below; `docs/exports.md` walks through it.
"""

from __future__ import annotations

from exports.destinations.base import Destination, MarketingChannel, Profile
from exports.destinations.hubspot import HUBSPOT
from exports.destinations.mailchimp import MAILCHIMP
from exports.errors import ExportError

DESTINATIONS: dict[str, Destination] = {d.name: d for d in (MAILCHIMP, HUBSPOT)}


def get_destination(name: str) -> Destination:
    """The destination called `name`, or an ExportError listing the known ones."""
    try:
        return DESTINATIONS[name]
    except KeyError:
        raise ExportError(
            f"Unknown export destination {name!r}; known destinations: "
            f"{', '.join(sorted(DESTINATIONS))}."
        ) from None


__all__ = ["DESTINATIONS", "Destination", "MarketingChannel", "Profile", "get_destination"]
