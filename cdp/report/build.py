"""`cdp report`: read the warehouse, draw the charts, write one offline HTML file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cdp.core.errors import CdpError
from cdp.core.settings import Settings
from cdp.core.warehouse import connect, table_names
from cdp.report.charts import build_charts
from cdp.report.html import render_html
from cdp.report.queries import PROFILES, read_report_data
from exports.atomic import write_text_atomic
from exports.run_log import EXPORT_RUNS_TABLE
from ingestion.manifest import MANIFEST_TABLE

REPORT_FILE = Path("report") / "cdp_report.html"
"""Beside the audience files, under the exports folder: where a marketer already looks."""
BUILT_TABLES = (PROFILES, MANIFEST_TABLE, EXPORT_RUNS_TABLE)
"""A warehouse holding none of these has never been through a run: nothing to report."""


@dataclass(frozen=True)
class ReportResult:
    path: Path
    charts: int
    """Charts drawn (the count the page declares in `data-chart-count`)."""
    empty: tuple[str, ...]
    """Titles of the charts shown as "no data yet" panels."""


def default_report_path(settings: Settings) -> Path:
    return settings.exports_dir / REPORT_FILE


def write_report(
    conn: duckdb.DuckDBPyConnection,
    out: Path,
    warehouse_label: str,
    generated_at: datetime | None = None,
) -> ReportResult:
    """Writes the report of the warehouse behind `conn` to `out` (atomically), reading only."""
    if not set(BUILT_TABLES) & table_names(conn):
        raise CdpError(
            f"The warehouse {warehouse_label} has not been built yet (no profiles, ingestion "
            "manifest or export log): run `cdp run` first."
        )
    data = read_report_data(conn)
    charts = build_charts(data)
    page = render_html(charts, data.headline, warehouse_label, generated_at or datetime.now(UTC))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out, page)
    except OSError as exc:
        raise CdpError(f"Cannot write the report to {out}: {exc.strerror or exc}.") from None
    return ReportResult(
        path=out,
        charts=sum(chart.figure is not None for chart in charts),
        empty=tuple(chart.title for chart in charts if chart.figure is None),
    )


def build_report(settings: Settings, out: Path | None = None) -> ReportResult:
    """The CLI's entry: opens the warehouse read-only (a run may hold the writer lock)."""
    conn = connect(settings.warehouse, read_only=True)
    try:
        return write_report(conn, out or default_report_path(settings), str(settings.warehouse))
    finally:
        conn.close()
