"""Ground truth: which true person owns each record and each identifier in the landing files.

Identifiers are registered at the moment a generator writes them, so the truth lists exactly
what a resolver can see, normalised the way the CDP normalises (email trimmed and lower-cased,
phone E.164 via `phonenumbers` in region US). The shop counter phone is registered with no
owner: its `true_person_id` is empty because it belongs to the shop, not to a shopper.
"""

from __future__ import annotations

import csv
from pathlib import Path

import phonenumbers

from cdp.demo_data.people import Person
from cdp.demo_data.writers import FileLog

RECORD_TABLES: tuple[str, ...] = (
    "mailchimp_members",
    "shopify_customers",
    "shopify_orders",
    "shopify_web_events",
    "square_transactions",
    "square_customers",
)
IDENTIFIER_TYPES: tuple[str, ...] = (
    "email",
    "phone",
    "shopify_customer_id",
    "square_customer_id",
    "mailchimp_subscriber_id",
    "anonymous_id",
)


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def normalise_phone(raw: str) -> str | None:
    """E.164 via `phonenumbers` (region US); plain 10/11-digit US spellings take a fast path
    that gives the same answer for the valid numbers the generator writes."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) == 10 and digits[0] in "23456789" and digits[3] in "23456789":
        return f"+1{digits}"
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "23456789":
        return f"+{digits}"
    try:
        parsed = phonenumbers.parse(raw.strip(), "US")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class GroundTruth:
    def __init__(self, truth_dir: Path) -> None:
        self.truth_dir = truth_dir
        self._records: dict[str, dict[str, str]] = {t: {} for t in RECORD_TABLES}
        self._identifiers: dict[tuple[str, str], str | tuple[str, ...]] = {}
        """Owner pid of each identifier, or a tuple of pids in first-seen order when shared."""
        self._phone_cache: dict[str, str | None] = {}
        self._tools: dict[str, set[str]] = {}
        truth_dir.mkdir(parents=True, exist_ok=True)
        self._web_path = truth_dir / ".web_records.tmp"
        self._web = self._web_path.open("w", encoding="utf-8", newline="")

    # -- records ---------------------------------------------------------------------------
    def record(self, table: str, key: object, pid: str) -> None:
        self._records[table].setdefault(str(key), pid)
        self._tools.setdefault(pid, set()).add(table.split("_", 1)[0])

    def web_event(self, event_id: str, pid: str) -> None:
        """Web events are too many to hold: they stream to disk in file order."""
        self._web.write(f"shopify_web_events,{event_id},{pid}\n")
        self._tools.setdefault(pid, set()).add("web")

    # -- identifiers -----------------------------------------------------------------------
    def identifier(self, kind: str, value: object, pid: str | None) -> None:
        key, pid = (kind, str(value)), pid or ""
        owners = self._identifiers.setdefault(key, pid)
        if owners == pid:
            return
        if isinstance(owners, str):
            self._identifiers[key] = (owners, pid)
        elif pid not in owners:
            self._identifiers[key] = (*owners, pid)

    def email(self, raw: str | None, pid: str | None) -> None:
        if raw and raw.strip():
            self.identifier("email", normalise_email(raw), pid)

    def phone(self, raw: str | None, pid: str | None) -> None:
        if not raw or not raw.strip():
            return
        e164 = self._phone_cache.get(raw)
        if e164 is None and raw not in self._phone_cache:
            e164 = self._phone_cache[raw] = normalise_phone(raw)
        if e164:
            self.identifier("phone", e164, pid)

    def _channel_tags(self, p: Person) -> set[str]:
        """Where the person shows up: `subscriber_only`, `store_only`, `browse_only`, …"""
        tools = self._tools.get(p.pid, set())
        tags = set()
        if tools == {"mailchimp"}:
            tags.add("subscriber_only")
        if tools == {"square"}:
            tags.add("store_only")
        if tools == {"web"}:
            tags.add("browse_only")
        if {"mailchimp", "square"} <= tools and tools & {"shopify", "web"}:
            tags.add("omnichannel")
        if p.guest_buyer and "shopify" in tools:
            tags.add("guest_buyer")
        if "recent_abandon" in p.plan:
            tags.add("recent_abandon")
        return tags

    # -- output ----------------------------------------------------------------------------
    def write(self, people: list[Person], log: FileLog) -> None:
        self._web.close()
        path = self.truth_dir / "people.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(["true_person_id", "first_name", "last_name", "emails", "phones", "tags"])
            for p in people:
                phones = [f"+1{p.phone}"] if p.phone else []
                tags = p.tags | self._channel_tags(p)
                out.writerow(
                    [
                        p.pid,
                        p.first,
                        p.last,
                        ";".join(p.real_emails()),
                        ";".join(phones),
                        ";".join(sorted(tags)),
                    ]
                )
        log.add(path, len(people))

        path = self.truth_dir / "records.csv"
        count = 0
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write("source_table,record_key,true_person_id\n")
            for table in RECORD_TABLES:
                if table == "shopify_web_events":
                    with self._web_path.open(encoding="utf-8") as web:
                        for line in web:
                            fh.write(line)
                            count += 1
                    continue
                for key in sorted(self._records[table]):
                    fh.write(f"{table},{key},{self._records[table][key]}\n")
                    count += 1
        self._web_path.unlink()
        log.add(path, count)

        path = self.truth_dir / "identifiers.csv"
        rows = sorted(
            (kind, value, pid)
            for (kind, value), owners in self._identifiers.items()
            for pid in ((owners,) if isinstance(owners, str) else owners)
        )
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(["identifier_type", "identifier_value", "true_person_id"])
            out.writerows(rows)
        log.add(path, len(rows))
