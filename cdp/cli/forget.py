"""`cdp forget <email|phone>`: the right to be forgotten, in one transaction under the writer lock.

Raw rows, dbt-built tables and the phone lookup are cleaned by `cdp.privacy` (the columns
holding identifiers read from the dbt project's manifest, parsed first); the
person's export sync state moves to the pending removals (`exports.sync_state`), so the next
export to each destination lists them in its `removes` file; tombstones keep re-imported rows
out. Staging views read raw, so they are clean at once; the next `cdp run` rebuilds every model
from raw, where the person no longer exists.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cdp.core.settings import Settings
from cdp.core.warehouse import connect, require_warehouse, writer_lock
from cdp.privacy.erasure import forget_identifier
from cdp.privacy.identifier_columns import IdentifierColumns, load_identifier_columns
from cdp.privacy.report import ForgetReport
from exports.sync_state import SYNC_STATE_TABLE, forget_people


def forget(settings: Settings, value: str, now: datetime | None = None) -> ForgetReport:
    """Erases the person behind `value`; returns what was deleted, table by table."""
    now = now or datetime.now(UTC)
    require_warehouse(settings.warehouse)  # a mistyped path must not become an empty warehouse
    columns = _identifier_columns(settings)
    with writer_lock(settings.warehouse):
        conn = connect(settings.warehouse)
        try:
            conn.execute("begin transaction")
            try:
                report = forget_identifier(conn, value, settings.default_phone_region, now, columns)
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


def _identifier_columns(settings: Settings) -> IdentifierColumns:
    """Where identifiers live, from the dbt project as it is now (parsed here, a few seconds):
    a manifest left by an older release could lack a column added since, and an erasure must
    never miss one."""
    from orchestration.dbt_project import prepare_manifest

    return load_identifier_columns(prepare_manifest(settings))
