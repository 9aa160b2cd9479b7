"""HTTP webhook: the segment's changes POSTed as JSON batches to `CDP_WEBHOOK_URL`.

The records are the generic data-team records (`exports.destinations.generic`); the files
written next to the manifest are JSON Lines (full, adds, removes) so what was sent can be
inspected. Delivery (batching, retries, idempotency keys) is `exports.webhook`.
"""

from __future__ import annotations

from exports.destinations.base import Destination
from exports.destinations.generic import BOOLEAN_COLUMNS, COLUMNS, format_record

WEBHOOK = Destination(
    name="webhook",
    title="HTTP webhook (JSON batches)",
    file_name="records.jsonl",
    headers=COLUMNS,
    marketing_channel=None,
    format_row=format_record,
    doc_title="docs/exports.md#webhook (payload defined by this project)",
    doc_url="https://jsonlines.org/",
    file_format="jsonl",
    requires_email=False,
    column_types={column: "bool" for column in BOOLEAN_COLUMNS},
    delivers_over_http=True,
)
