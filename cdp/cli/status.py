"""`cdp status`: what ingestion holds, per source, read from the manifest and the quarantine."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from cdp.core.settings import Settings
from cdp.core.warehouse import connect
from ingestion import audit
from ingestion.landing import split_rejections


def print_status(settings: Settings, console: Console, quarantine_limit: int = 20) -> bool:
    """Prints the manifest per source, rejected files, the latest quarantines and GX failures.

    Returns False when some file is currently rejected (the CLI exits non-zero then). A file
    rejected once and removed from the landing folder since is listed as history only.
    """
    conn = connect(settings.warehouse, read_only=True)
    try:
        overview = audit.manifest_overview(conn)
        rejected, rejected_before = split_rejections(
            audit.rejected_files(conn), settings.landing_dir
        )
        quarantined = audit.quarantine_overview(conn)
        failures = {
            table: [f for f in audit.validation_findings(conn, table) if not f.success]
            for table, *_ in overview
        }
    finally:
        conn.close()

    if not overview:
        console.print(f"No file has been ingested into {settings.warehouse} yet: run `cdp run`.")
        return True
    sources = Table(title=f"Ingestion manifest ({settings.warehouse})", title_justify="left")
    for column in (
        "source table",
        "files",
        "rows read",
        "rows loaded",
        "quarantined",
        "last load (UTC)",
        "rejected",
        "GX failures",
    ):
        sources.add_column(column, justify="left" if column == "source table" else "right")
    rejected_now = Counter(table for table, *_ in rejected)
    for table, files, read, loaded, held, last, _rejected_ever, _dups in overview:
        n_rejected = rejected_now[table]
        sources.add_row(
            table,
            f"{files:,}",
            f"{read:,}",
            f"{loaded:,}",
            f"{held:,}",
            last.strftime("%Y-%m-%d %H:%M:%S") if last else "—",
            f"{n_rejected:,}",
            f"{len(failures.get(table, [])):,}",
            style="red" if n_rejected else ("yellow" if held else None),
        )
    console.print(sources)

    if rejected:
        problems = Table(title="Rejected files (nothing of them is loaded)", title_justify="left")
        for column in ("source table", "file", "why"):
            problems.add_column(column)
        for table, path, message in rejected:
            problems.add_row(table, path, message, style="red")
        console.print(problems)
    if rejected_before:
        past = Table(
            title="Rejected earlier, since removed from the landing folder (history: they do "
            "not fail runs)",
            title_justify="left",
        )
        for column in ("source table", "file", "why it was rejected"):
            past.add_column(column)
        for table, path, message in rejected_before:
            past.add_row(table, path, message, style="dim")
        console.print(past)

    if quarantined:
        held_table = Table(
            title="Latest quarantines (raw.quarantined_rows, per file)", title_justify="left"
        )
        for column in ("source table", "file", "records", "main reason", "when (UTC)"):
            held_table.add_column(column, justify="right" if column == "records" else "left")
        for table, path, count, reason, when in quarantined[:quarantine_limit]:
            held_table.add_row(table, path, f"{count:,}", reason, when.strftime("%Y-%m-%d %H:%M"))
        console.print(held_table)
        if len(quarantined) > quarantine_limit:
            console.print(f"… and {len(quarantined) - quarantine_limit} more file(s).")
    else:
        console.print("No quarantined records.")

    failing = {t: f for t, f in failures.items() if f}
    if failing:
        gx = Table(title="Failed expectations (meta.validation_results)", title_justify="left")
        for column in ("source table", "column", "expectation", "files", "unexpected rows"):
            gx.add_column(
                column, justify="right" if column in ("files", "unexpected rows") else "left"
            )
        for table, found in failing.items():
            grouped: dict[tuple[str, str], list] = {}
            for f in found:
                grouped.setdefault((f.column, f.expectation), []).append(f)
            for (column, expectation), items in grouped.items():
                gx.add_row(
                    table,
                    column,
                    expectation.removeprefix("expect_column_values_to_"),
                    f"{len(items):,}",
                    f"{sum(i.unexpected_count for i in items):,}",
                )
        console.print(gx)
    return not rejected
