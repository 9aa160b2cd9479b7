"""Delivers an export's changes to an HTTP endpoint as JSON batches.

Each batch is one POST of `{"segment", "destination", "action", "batch", "batches",
"generated_at", "records"}` with an `Idempotency-Key` header: the SHA-256 of the segment,
destination, action and records (not of the time), so a batch re-sent after a failure or by a
re-run carries the same key and the receiver can drop the duplicate. Retries are urllib3's
`Retry` mounted on a `requests` session: connection errors, 429 and 5xx are retried with
exponential backoff, and a `Retry-After` header (429 / 503) is honoured. Removes are sent before
adds, so a changed row that is replaced lands last.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from exports.errors import ExportError

RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})


@dataclass
class DeliveryReport:
    """What a delivery sent: batches per action, HTTP requests made (retries included)."""

    url: str
    batches: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "batches": dict(self.batches),
            "records": dict(self.records),
            "requests": self.requests,
            "retries": self.retries,
        }


def idempotency_key(segment: str, destination: str, action: str, records: Sequence[Any]) -> str:
    payload = json.dumps(
        {"segment": segment, "destination": destination, "action": action, "records": records},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class WebhookClient:
    """POSTs batches to `url`; `max_retries` bounds the attempts of each batch."""

    url: str
    batch_size: int = 500
    max_retries: int = 5
    backoff_factor: float = 0.5
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ExportError(f"CDP_WEBHOOK_URL must be an http(s) URL, got {self.url!r}.")
        if self.batch_size < 1:
            raise ExportError(f"CDP_WEBHOOK_BATCH_SIZE must be at least 1, got {self.batch_size}.")

    def _session(self) -> requests.Session:
        retry = Retry(
            total=self.max_retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"POST"}),
            backoff_factor=self.backoff_factor,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def deliver(
        self,
        segment: str,
        destination: str,
        generated_at: str,
        removes: Sequence[dict[str, Any]],
        adds: Sequence[dict[str, Any]],
    ) -> DeliveryReport:
        """Sends removes then adds; raises ExportError naming the batch that failed."""
        report = DeliveryReport(self.url)
        with self._session() as session:
            for action, records in (("remove", removes), ("upsert", adds)):
                batches = [
                    list(records[i : i + self.batch_size])
                    for i in range(0, len(records), self.batch_size)
                ]
                report.batches[action] = len(batches)
                report.records[action] = len(records)
                for number, batch in enumerate(batches, start=1):
                    self._post(
                        session,
                        report,
                        segment,
                        destination,
                        generated_at,
                        action,
                        number,
                        len(batches),
                        batch,
                    )
        return report

    def _post(
        self,
        session: requests.Session,
        report: DeliveryReport,
        segment: str,
        destination: str,
        generated_at: str,
        action: str,
        number: int,
        total: int,
        batch: list[dict[str, Any]],
    ) -> None:
        key = idempotency_key(segment, destination, action, batch)
        body = {
            "segment": segment,
            "destination": destination,
            "action": action,
            "batch": number,
            "batches": total,
            "generated_at": generated_at,
            "records": batch,
        }
        where = (
            f"webhook {self.url}: {action} batch {number}/{total} of segment {segment!r} "
            f"({len(batch)} records, person_id {batch[0].get('person_id')!r} to "
            f"{batch[-1].get('person_id')!r}, Idempotency-Key {key[:12]}…)"
        )
        try:
            response = session.post(
                self.url,
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers={"Content-Type": "application/json", "Idempotency-Key": key},
                timeout=self.timeout_seconds,
            )
        except requests.RequestException as exc:
            raise ExportError(f"{where} could not be delivered: {exc}") from None
        history = getattr(getattr(response.raw, "retries", None), "history", ()) or ()
        report.retries += len(history)
        report.requests += len(history) + 1
        if response.status_code >= 300:
            raise ExportError(
                f"{where} was refused with HTTP {response.status_code} after "
                f"{len(history) + 1} attempt(s): {response.text[:300]!r}"
            )
