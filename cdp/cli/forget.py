"""`cdp forget <email|phone>`: the right to be forgotten, in one transaction under the writer lock.

Raw rows, dbt-built tables and the phone lookup are cleaned by `cdp.privacy.erasure`; the
person's export sync state moves to the pending removals (`exports.sync_state`), so the next
export to each destination lists them in its `removes` file; tombstones keep re-imported rows
out. Staging views read raw, so they are clean at once; the next `cdp run` rebuilds every model
from raw, where the person no longer exists.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cdp.core.settings import Settings
from cdp.core.warehouse import connect, require_warehouse, writer_lock
from cdp.privacy.erasure import ForgetReport, forget_identifier
from exports.sync_state import SYNC_STATE_TABLE, forget_people


def forget(settings: Settings, value: str, now: datetime | None = None) -> ForgetReport:
    """Erases the person behind `value`; returns what was deleted, table by table."""
    now = now or datetime.now(UTC)
    require_warehouse(settings.warehouse)  # a mistyped path must not become an empty warehouse
    with writer_lock(settings.warehouse):
        conn = connect(settings.warehouse)
        try:
            conn.execute("begin transaction")
            try:
                report = forget_identifier(conn, value, settings.default_phone_region, now)
                moved = forget_people(conn, report.person_ids, now)
                if moved:
                    report.deleted[SYNC_STATE_TABLE] += moved
                conn.execute("commit")
            except BaseException:
                conn.execute("rollback")
                raise
        finally:
            conn.close()
    return report
