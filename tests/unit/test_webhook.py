"""The webhook destination against a local HTTP server on 127.0.0.1 started by each test.

The server answers from a script (e.g. 429, then 500, then 200), records what it received and
is shut down by the fixture; the client's retries are bounded, so no loop can run away.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from exports import ExportError, WebhookClient, export_segment
from exports.sync_state import load_state
from exports.webhook import idempotency_key
from tests.conftest import local_http_server
from tests.unit.test_exports import GENERATED_AT, _conn
from tests.unit.test_exports_destinations import SEGMENT

MAX_REQUESTS = 50  # the server refuses to serve more: a runaway client fails the test


@dataclass
class Received:
    key: str
    body: dict
    at: float


@dataclass
class Endpoint:
    url: str
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    state = Endpoint(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            state.received.append(
                Received(self.headers.get("Idempotency-Key", ""), body, time.monotonic())
            )
            if len(state.received) > MAX_REQUESTS:
                status, headers = 418, {}
            else:
                status, headers = state.script.pop(0) if state.script else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    with local_http_server(Handler) as base_url:
        state.url = f"{base_url}/hooks/cdp"
        yield state


@pytest.fixture
def conn() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = _conn()
    yield connection
    connection.close()


def client(endpoint: Endpoint, **options: object) -> WebhookClient:
    return WebhookClient(endpoint.url, **{"batch_size": 3, "backoff_factor": 0.01, **options})


@pytest.mark.timeout(60)
def test_batches_retry_on_429_and_5xx_honouring_retry_after_then_succeed(
    conn: duckdb.DuckDBPyConnection, endpoint: Endpoint, tmp_path: Path
) -> None:
    endpoint.script = [(429, {"Retry-After": "1"}), (500, {}), (503, {"Retry-After": "0"})]

    result = export_segment(
        conn, SEGMENT, "webhook", tmp_path, GENERATED_AT, webhook=client(endpoint)
    )

    # 8 people with a profile in 3 batches of at most 3; the first batch needed 4 attempts.
    assert result.status == "written" and result.adds == 8
    assert result.delivery == {
        "url": endpoint.url,
        "batches": {"remove": 0, "upsert": 3},
        "records": {"remove": 0, "upsert": 8},
        "requests": 6,
        "retries": 3,
    }
    first_batch = endpoint.received[:4]
    assert len({r.key for r in first_batch}) == 1  # retried with the same Idempotency-Key
    assert first_batch[1].at - first_batch[0].at >= 0.9  # Retry-After: 1 was honoured
    delivered = [r.body for r in endpoint.received[3:]]
    assert [b["batch"] for b in delivered] == [1, 2, 3]
    assert {b["action"] for b in delivered} == {"upsert"}
    assert [p["person_id"] for b in delivered for p in b["records"]] == [
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
        "p7",
        "p8",
        "p9",
    ]
    assert delivered[0]["segment"] == "vip_customers"
    assert delivered[0]["generated_at"] == "2024-05-01T06:30:00Z"
    assert endpoint.received[3].key == idempotency_key(
        "vip_customers", "webhook", "upsert", delivered[0]["records"]
    )
    assert len(load_state(conn, "webhook", "vip_customers")) == 8
    # The files next to the manifest say what was sent.
    assert result.path.name == "records.jsonl"
    assert len(result.adds_path.read_text(encoding="utf-8").splitlines()) == 8


@pytest.mark.timeout(60)
def test_a_batch_that_keeps_failing_stops_the_export_without_advancing_state(
    conn: duckdb.DuckDBPyConnection, endpoint: Endpoint, tmp_path: Path
) -> None:
    endpoint.script = [(503, {})] * 3

    with pytest.raises(ExportError, match=r"upsert batch 1/3 .* HTTP 503 after 3 attempt"):
        export_segment(
            conn,
            SEGMENT,
            "webhook",
            tmp_path,
            GENERATED_AT,
            webhook=client(endpoint, max_retries=2),
        )

    assert len(endpoint.received) == 3  # bounded: 1 try + 2 retries
    assert load_state(conn, "webhook", "vip_customers") == {}
    assert not (tmp_path / "webhook" / "vip_customers" / "manifest.json").exists()

    # The next run sends everything again, under the same keys.
    again = export_segment(
        conn,
        SEGMENT,
        "webhook",
        tmp_path,
        GENERATED_AT + timedelta(hours=1),
        webhook=client(endpoint),
    )
    assert again.adds == 8
    assert endpoint.received[3].key == endpoint.received[0].key


@pytest.mark.timeout(60)
def test_a_client_error_is_not_retried(
    conn: duckdb.DuckDBPyConnection, endpoint: Endpoint, tmp_path: Path
) -> None:
    endpoint.script = [(400, {})]
    with pytest.raises(ExportError, match="refused with HTTP 400 after 1 attempt"):
        export_segment(conn, SEGMENT, "webhook", tmp_path, GENERATED_AT, webhook=client(endpoint))
    assert len(endpoint.received) == 1


@pytest.mark.timeout(60)
def test_changes_only_on_the_next_run_removes_first(
    conn: duckdb.DuckDBPyConnection, endpoint: Endpoint, tmp_path: Path
) -> None:
    export_segment(conn, SEGMENT, "webhook", tmp_path, GENERATED_AT, webhook=client(endpoint))
    sent = len(endpoint.received)
    conn.execute("delete from marts.segment_vip_customers where person_id = 'p3'")
    conn.execute("update marts.profiles set first_name = 'Annie' where person_id = 'p1'")

    later = export_segment(
        conn,
        SEGMENT,
        "webhook",
        tmp_path,
        GENERATED_AT + timedelta(days=1),
        webhook=client(endpoint),
    )
    unchanged = export_segment(
        conn,
        SEGMENT,
        "webhook",
        tmp_path,
        GENERATED_AT + timedelta(days=2),
        webhook=client(endpoint),
    )

    bodies = [r.body for r in endpoint.received[sent:]]
    assert [(b["action"], [p["person_id"] for p in b["records"]]) for b in bodies] == [
        ("remove", ["p3"]),
        ("upsert", ["p1"]),
    ]
    assert (later.adds, later.removes) == (1, 1)
    assert unchanged.status == "unchanged"
    assert len(endpoint.received) == sent + 2  # nothing re-sent


def test_idempotency_key_depends_on_segment_destination_and_content() -> None:
    records = [{"person_id": "p1"}]
    key = idempotency_key("vip", "webhook", "upsert", records)
    assert key == idempotency_key("vip", "webhook", "upsert", [{"person_id": "p1"}])
    assert key != idempotency_key("lapsed", "webhook", "upsert", records)
    assert key != idempotency_key("vip", "webhook", "remove", records)
    assert key != idempotency_key("vip", "webhook", "upsert", [{"person_id": "p2"}])


def test_bad_webhook_settings_are_user_errors() -> None:
    with pytest.raises(ExportError, match="http"):
        WebhookClient("ftp://example.invalid")
    with pytest.raises(ExportError, match="BATCH_SIZE"):
        WebhookClient("http://127.0.0.1:9", batch_size=0)
