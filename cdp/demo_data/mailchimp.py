"""Mailchimp: the audience export (three status files) and per-campaign report responses.

Members live through campaigns in time order: they receive sends while subscribed, open and
click (each click becomes a storefront visit carrying `mc_cid`/`mc_eid`), unsubscribe from one
campaign or hard-bounce on one and get cleaned. Reports are streamed one campaign at a time so
100k people stay within memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cdp.demo_data.catalog import (
    CAMPAIGN_THEMES,
    MAILCHIMP_DC,
    MEMBER_TAGS,
    SHOP_URL,
    TZ_OFFSETS,
    UNSUB_REASONS,
)
from cdp.demo_data.config import BehaviourRates
from cdp.demo_data.formats import (
    mailchimp_api_ts,
    mailchimp_csv_ts,
    messy_email,
    phone_as,
    typed_phone,
)
from cdp.demo_data.ids import IdFactory, md5_lower, random_ip
from cdp.demo_data.people import FuzzyLook, Person
from cdp.demo_data.stories import MEMBER_PHONE_STYLE
from cdp.demo_data.truth import GroundTruth
from cdp.demo_data.writers import FileLog, write_csv, write_json
from ingestion.sources import MAILCHIMP_MEMBER_HEADERS

# Today's audience export, one header per status file (the loader's own list).
HEADERS = MAILCHIMP_MEMBER_HEADERS
SUBSCRIBED_HEADER = HEADERS["subscribed"]
UNSUBSCRIBED_HEADER = HEADERS["unsubscribed"]
CLEANED_HEADER = HEADERS["cleaned"]
_API = f"https://{MAILCHIMP_DC}.api.mailchimp.com"


@dataclass(frozen=True, slots=True)
class Campaign:
    idx: int
    id: str
    title: str
    path: str
    utm: str
    send_time: datetime


@dataclass(slots=True, eq=False)
class Member:
    person: Person
    email: str
    euid: str
    leid: int
    status: str
    confirm: datetime
    event_campaign: int | None = None
    event_time: datetime | None = None
    forced_click: int | None = None
    row: dict[str, str] = field(default_factory=dict)


def schedule_campaigns(
    rng: random.Random, ids: IdFactory, start: datetime, as_of: datetime, every_days: int
) -> list[Campaign]:
    """A regular newsletter cadence: about every two weeks, mid-morning US Eastern."""
    campaigns: list[Campaign] = []
    t = start + timedelta(days=rng.uniform(3, 10))
    while True:
        send = t.replace(hour=rng.choice((14, 15, 16)), minute=rng.randrange(60), second=0)
        if send >= as_of - timedelta(hours=6):
            break
        theme, path = CAMPAIGN_THEMES[len(campaigns) % len(CAMPAIGN_THEMES)]
        title = f"{theme} {send:%b %Y}"
        utm = f"{theme.lower().replace(' ', '-')}-{send:%Y-%m}"
        campaigns.append(Campaign(len(campaigns), ids.hex(10), title, path, utm, send))
        t += timedelta(days=every_days + rng.uniform(-2, 2))
    return campaigns


class MailchimpSim:
    def __init__(
        self,
        rng: random.Random,
        ids: IdFactory,
        campaigns: list[Campaign],
        rates: BehaviourRates,
        start: datetime,
        as_of: datetime,
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.campaigns = campaigns
        self.rates = rates
        self.start = start
        self.as_of = as_of
        self.list_id = ids.hex(10)
        self.members: list[Member] = []

    # -- audience ------------------------------------------------------------------------
    def build_members(self, people: list[Person]) -> None:
        for person in people:
            if not person.subscriber:
                continue
            if person.signature:
                member = self._member(person, person.email, person.plan["confirm_at"], "subscribed")
                member.forced_click = int(person.plan["click_campaign"])  # type: ignore[arg-type]
            elif person.old_email and person.email_change_at:
                change = person.email_change_at
                confirm = self._time_before(change - timedelta(days=10))
                status = self.rng.choice(("cleaned", "unsubscribed"))
                old = self._member(person, person.old_email, confirm, status)
                self._set_event(old, after=change, first=True)
                new_confirm = min(change + timedelta(days=self.rng.uniform(1, 20)), self.as_of)
                self._member(person, person.email, new_confirm, "subscribed")
            else:
                confirm = self._time_before(self.as_of - timedelta(days=2))
                r = self.rng.random()
                if r < self.rates.member_cleaned:
                    status = "cleaned"
                elif r < self.rates.member_cleaned + self.rates.member_unsubscribed:
                    status = "unsubscribed"
                else:
                    status = "subscribed"
                # A fuzzy person subscribed with an address their Shopify account never uses.
                email = person.fuzzy.mailchimp_email if person.fuzzy else person.email
                member = self._member(person, email, confirm, status)
                if status != "subscribed":
                    self._set_event(member, after=confirm, first=False)
            if person.typo_email and person.typo_source == "mailchimp":
                confirm = self._time_before(self.as_of - timedelta(days=20))
                typo = self._member(person, person.typo_email, confirm, "cleaned")
                self._set_event(typo, after=confirm, first=True)
        self.members.sort(key=lambda m: (m.confirm, m.euid))

    def _time_before(self, latest: datetime) -> datetime:
        earliest = self.start - timedelta(days=420)
        if latest <= earliest:
            return latest
        return earliest + (latest - earliest) * self.rng.random()

    def _member(self, person: Person, email: str, confirm: datetime, status: str) -> Member:
        stored = email if person.signature else messy_email(self.rng, email, upper=0.03, pad=0.0)
        member = Member(
            person,
            stored,
            self.ids.hex(10),
            self.ids.number(10_000_000, 999_999_999),
            status,
            confirm,
        )
        self.members.append(member)
        return member

    def _set_event(self, member: Member, after: datetime, first: bool) -> None:
        """Pick the campaign on which the member unsubscribed or bounced."""
        eligible = [c.idx for c in self.campaigns if c.send_time > max(after, member.confirm)]
        if not eligible:
            member.status = "subscribed"
            return
        member.event_campaign = eligible[0] if first else self.rng.choice(eligible)

    # -- campaigns -----------------------------------------------------------------------
    def run_campaigns(self, folder: Path, truth: GroundTruth, log: FileLog) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for campaign in self.campaigns:
            sent_to, activity, unsubscribes = self._send(campaign)
            self._write_report(folder, campaign, "sent-to", "sent_to", sent_to, log)
            self._write_report(folder, campaign, "email-activity", "emails", activity, log)
            self._write_report(folder, campaign, "unsubscribed", "unsubscribes", unsubscribes, log)

    def _send(self, c: Campaign) -> tuple[list[dict], list[dict], list[dict]]:
        rng, rates = self.rng, self.rates
        sent_to: list[dict] = []
        activity: list[dict] = []
        unsubscribes: list[dict] = []
        for m in self.members:
            if m.confirm > c.send_time:
                break
            if m.event_campaign is not None and m.event_campaign < c.idx:
                continue
            forced = m.event_campaign == c.idx or m.forced_click == c.idx
            if (
                not forced
                and rng.random() >= rates.send_base + rates.send_engaged * m.person.engagement
            ):
                continue
            status, acts, unsub_at = self._outcome(m, c)
            opens = [a["timestamp"] for a in acts if a["action"] == "open"]
            base = {"email_id": md5_lower(m.email), "email_address": m.email}
            sent_to.append(
                {
                    **base,
                    "merge_fields": {
                        "FNAME": m.row.get("First Name", m.person.first),
                        "LNAME": m.row.get("Last Name", m.person.last),
                    },
                    "vip": False,
                    "status": status,
                    "open_count": len(opens),
                    "last_open": max(opens) if opens else "",
                    "absplit_group": "",
                    "gmt_offset": TZ_OFFSETS[m.person.city.iana_tz][0],
                    "campaign_id": c.id,
                    "list_id": self.list_id,
                    "list_is_active": True,
                }
            )
            activity.append(
                {
                    "campaign_id": c.id,
                    "list_id": self.list_id,
                    "list_is_active": True,
                    **base,
                    "activity": acts,
                }
            )
            if unsub_at is not None:
                unsubscribes.append(
                    {
                        **base,
                        "merge_fields": sent_to[-1]["merge_fields"],
                        "vip": False,
                        "timestamp": mailchimp_api_ts(unsub_at),
                        "reason": m.row["UNSUB_REASON"],
                        "campaign_id": c.id,
                        "list_id": self.list_id,
                        "list_is_active": True,
                    }
                )
        return sent_to, activity, unsubscribes

    def _outcome(self, m: Member, c: Campaign) -> tuple[str, list[dict], datetime | None]:
        rng = self.rng
        send = c.send_time
        if m.event_campaign == c.idx and m.status == "cleaned":
            m.event_time = send + timedelta(seconds=rng.uniform(20, 600))
            return "hard", [self._act("bounce", m.event_time, bounce="hard")], None
        forced_click = m.forced_click == c.idx
        unsubscribing = m.event_campaign == c.idx and m.status == "unsubscribed"
        if not (forced_click or unsubscribing) and rng.random() < self.rates.soft_bounce:
            return (
                "soft",
                [
                    self._act(
                        "bounce", send + timedelta(seconds=rng.uniform(20, 900)), bounce="soft"
                    )
                ],
                None,
            )
        acts: list[dict] = []
        if forced_click:
            click_at = m.person.plan["click_at"] - timedelta(seconds=rng.uniform(2, 8))  # type: ignore[operator]
            first_open = click_at - timedelta(seconds=rng.uniform(10, 300))
        else:
            first_open = send + timedelta(minutes=rng.expovariate(1 / 240))
            click_at = None
        first_open = min(first_open, send + (self.as_of - send) * 0.8)
        if forced_click or unsubscribing or rng.random() < m.person.engagement:
            opens = [first_open]
            for _ in range((rng.random() < 0.35) + (rng.random() < 0.1)):
                opens.append(opens[-1] + timedelta(minutes=rng.expovariate(1 / 600)))
            acts.extend(self._act("open", t, ip=random_ip(rng)) for t in opens if t < self.as_of)
            if (
                click_at is None
                and not m.person.signature
                and rng.random() < self.rates.click_given_open
            ):
                click_at = first_open + timedelta(seconds=rng.uniform(5, 180))
        if click_at is not None and click_at < self.as_of and acts:
            url = (
                f"{SHOP_URL}/{c.path}?utm_source=mailchimp&utm_medium=email"
                f"&utm_campaign={c.utm}&mc_cid={c.id}&mc_eid={m.euid}"
            )
            acts.append(self._act("click", click_at, url=url, ip=random_ip(rng)))
            landing = (
                m.person.plan["click_at"]
                if forced_click
                else click_at + timedelta(seconds=rng.uniform(1, 6))
            )
            m.person.clicks.append((landing, url))  # type: ignore[arg-type]
        unsub_at = None
        if unsubscribing:
            unsub_at = min(
                first_open + timedelta(seconds=rng.uniform(10, 600)),
                self.as_of - timedelta(minutes=1),
            )
            m.event_time = unsub_at
        acts.sort(key=lambda a: a["timestamp"])
        return "sent", acts, unsub_at

    @staticmethod
    def _act(action: str, when: datetime, **extra: str) -> dict:
        act: dict[str, str] = {"action": action}
        if "bounce" in extra:
            act["type"] = extra.pop("bounce")
        act["timestamp"] = mailchimp_api_ts(when)
        act.update(extra)
        return act

    def _write_report(
        self, folder: Path, c: Campaign, endpoint: str, key: str, items: list[dict], log: FileLog
    ) -> None:
        stem = {
            "sent-to": "sent_to",
            "email-activity": "email_activity",
            "unsubscribed": "unsubscribed",
        }[endpoint]
        body = {
            key: items,
            "campaign_id": c.id,
            "total_items": len(items),
            "_links": [
                {
                    "rel": "parent",
                    "href": f"{_API}/3.0/reports/{c.id}",
                    "method": "GET",
                    "targetSchema": f"{_API}/schema/3.0/Definitions/Reports/Response.json",
                },
                {
                    "rel": "self",
                    "href": f"{_API}/3.0/reports/{c.id}/{endpoint}",
                    "method": "GET",
                    "targetSchema": f"{_API}/schema/3.0/Definitions/Reports/{stem.title()}"
                    "/Response.json",
                },
            ],
        }
        path = folder / f"{stem}_{c.id}.json"
        write_json(path, body)
        log.add(path, len(items))

    # -- export --------------------------------------------------------------------------
    def prepare_rows(self) -> None:
        """Fill each member's export row (before campaigns, which reuse names and reasons)."""
        rng = self.rng
        for m in self.members:
            p = m.person
            row: dict[str, str] = {}
            full = p.signature or rng.random() < 0.92
            row["First Name"] = p.first if full else ""
            row["Last Name"] = p.last if full and rng.random() < 0.95 else ""
            if p.signature or rng.random() < 0.55:
                parts = [p.address1, p.address2, p.city.name, p.city.state_code, p.zip, "US"]
                row["Address"] = "  ".join(x for x in parts if x)
            else:
                row["Address"] = ""
            link_phone = p.plan.get("two_email_link") == "phone" or "shared_phone" in p.tags
            if p.phone and (p.signature or link_phone or rng.random() < 0.5):
                row["Phone Number"] = (
                    phone_as(p.phone, MEMBER_PHONE_STYLE)
                    if p.signature
                    else typed_phone(rng, p.phone)
                )
            else:
                row["Phone Number"] = ""
            row["Birthday"] = p.birthday or ""
            double_opt_in = rng.random() < 0.7
            optin = m.confirm - timedelta(seconds=rng.uniform(30, 36_000))
            row["OPTIN_TIME"] = mailchimp_csv_ts(optin) if double_opt_in else ""
            row["OPTIN_IP"] = random_ip(rng) if double_opt_in else ""
            row["CONFIRM_TIME"] = mailchimp_csv_ts(m.confirm)
            row["CONFIRM_IP"] = random_ip(rng) if double_opt_in else ""
            located = rng.random() < 0.6
            row["LATITUDE"] = f"{p.city.lat + rng.uniform(-0.08, 0.08):.7f}" if located else ""
            row["LONGITUDE"] = f"{p.city.lon + rng.uniform(-0.08, 0.08):.7f}" if located else ""
            gmt, dst = TZ_OFFSETS[p.city.iana_tz]
            row["GMTOFF"], row["DSTOFF"] = (str(gmt), str(dst)) if located else ("", "")
            row["TIMEZONE"] = p.city.iana_tz if located else ""
            row["CC"] = "US" if located else ""
            row["REGION"] = p.city.state_code if located else ""
            row["MEMBER_RATING"] = str(max(1, min(5, round(1 + p.engagement * 5))))
            changed = m.confirm
            if rng.random() < 0.3:
                changed = m.confirm + (self.as_of - m.confirm) * rng.random()
            row["LAST_CHANGED"] = mailchimp_csv_ts(changed)
            reason = rng.choice(UNSUB_REASONS)
            row["UNSUB_REASON"] = reason
            row["UNSUB_REASON_OTHER"] = (
                rng.choice(("Too many emails", "Moving abroad", "Not relevant to me"))
                if reason.startswith("Other")
                else ""
            )
            row["LEID"], row["EUID"], row["NOTES"] = str(m.leid), m.euid, ""
            tags = rng.sample(MEMBER_TAGS, rng.choice((0, 0, 1, 1, 2)))
            row["TAGS"] = ",".join(f'"{t}"' for t in tags)
            row["Email Address"] = m.email
            if p.fuzzy is not None:
                self._fuzzy_fields(row, p, p.fuzzy)
            m.row = row

    @staticmethod
    def _fuzzy_fields(row: dict[str, str], p: Person, look: FuzzyLook) -> None:
        """A fuzzy member's merge fields (`fuzzy.py`): name and address as they typed them, the
        birthday, and no phone (it would tie the member to the Shopify account)."""
        row["First Name"], row["Last Name"] = look.mailchimp_name
        line1, line2 = look.mailchimp_address
        parts = [line1, line2, p.city.name, p.city.state_code, p.zip, "US"]
        row["Address"] = "  ".join(x for x in parts if x)
        row["Phone Number"] = ""
        row["Birthday"] = p.birthday or ""

    def write_exports(self, folder: Path, suffix: str, truth: GroundTruth, log: FileLog) -> None:
        by_status: dict[str, list[list[str]]] = {s: [] for s in HEADERS}
        for m in self.members:
            row = m.row
            if m.status == "unsubscribed":
                c = self.campaigns[m.event_campaign]  # type: ignore[index]
                row["UNSUB_TIME"] = mailchimp_csv_ts(m.event_time)  # type: ignore[arg-type]
                row["UNSUB_CAMPAIGN_TITLE"], row["UNSUB_CAMPAIGN_ID"] = c.title, c.id
                row["MEMBER_RATING"] = "1"
            elif m.status == "cleaned":
                c = self.campaigns[m.event_campaign]  # type: ignore[index]
                row["CLEAN_TIME"] = mailchimp_csv_ts(m.event_time)  # type: ignore[arg-type]
                row["CLEAN_CAMPAIGN_TITLE"], row["CLEAN_CAMPAIGN_ID"] = c.title, c.id
                row["MEMBER_RATING"] = "1"
            by_status[m.status].append([row.get(h, "") for h in HEADERS[m.status]])
            pid = m.person.pid
            truth.record("mailchimp_members", m.euid, pid)
            truth.identifier("mailchimp_subscriber_id", m.euid, pid)
            truth.email(m.email, pid)
            truth.phone(row["Phone Number"], pid)
        for status, header in HEADERS.items():
            path = folder / f"{status}_members_export_{suffix}.csv"
            count = write_csv(path, header, by_status[status], style="mailchimp")
            log.add(path, count)
