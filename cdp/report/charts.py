"""The report's charts: one plotly figure per question, each with a title, a line on how to read
it and the table it comes from; a chart whose frame is empty has no figure and says why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from cdp.report import queries
from cdp.report.queries import ReportData

PALETTE = ("#2f6fdf", "#e8833a", "#3aa17e", "#c94f7c", "#8a63d2", "#b8a23a", "#4bb3cf", "#7d7d7d")
HEIGHT = 380
LIFECYCLE_ORDER = (
    "anonymous",
    "lead",
    "subscriber",
    "first_time_customer",
    "repeat_customer",
    "vip",
    "at_risk",
    "churned",
)
TOOLS = ("Mailchimp", "Shopify", "Square")
RUN_AXIS = {"categoryorder": "category ascending"}
"""Runs in time order: their labels sort as time (see _run_label), whichever trace shows first."""


@dataclass(frozen=True)
class Chart:
    """One panel of the report."""

    key: str
    section: str
    title: str
    how_to_read: str
    source: str
    """The warehouse table(s) the chart reads."""
    figure: go.Figure | None
    """None when the source holds nothing yet: the panel shows `empty_note` instead."""
    empty_note: str
    wide: bool = False
    """Drawn across the page: many bars or a long legend."""


def _layout(figure: go.Figure, **extra: object) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=HEIGHT,
        margin={"l": 10, "r": 20, "t": 30, "b": 10},
        font={"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        colorway=PALETTE,
        hoverlabel={"namelength": -1},
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    figure.update_layout(**extra)
    return figure


def _whole_ticks(largest: float) -> dict[str, object]:
    """Axis settings for counts: small counts get one tick per unit, never 0.5 of a record."""
    return {"dtick": 1} if largest <= 8 else {}


def _run_label(moments: pd.Series) -> pd.Series:
    """Runs as category labels (`YYYY-MM-DD HH:MM`, which sort as time): a time axis would
    spread two runs over a day of empty space."""
    return pd.to_datetime(moments).dt.strftime("%Y-%m-%d %H:%M")


def _tool_overlap(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    rows = []
    for record in frame.itertuples(index=False):
        known = [
            tool
            for tool, flag in zip(
                TOOLS, (record.in_mailchimp, record.in_shopify, record.in_square), strict=True
            )
            if flag
        ]
        label = " + ".join(known) if known else "none of the three (web visits only)"
        if len(known) == 1:
            label += " only"
        rows.append((label, len(known), int(record.people)))
    table = pd.DataFrame(rows, columns=["combination", "tools", "people"])
    table = table.sort_values(["tools", "people"], ascending=[False, True])
    total = table["people"].sum()
    colours = {3: PALETTE[2], 2: PALETTE[0], 1: PALETTE[1], 0: PALETTE[7]}
    figure = go.Figure(
        go.Bar(
            x=table["people"],
            y=table["combination"],
            orientation="h",
            marker_color=[colours[n] for n in table["tools"]],
            text=[f"{n:,} ({n / total:.0%})" for n in table["people"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} people<extra></extra>",
        )
    )
    return _layout(figure, xaxis_title="people", showlegend=False)


def _person_sizes(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    figure = go.Figure(
        go.Bar(
            x=frame["identifiers"],
            y=frame["people"],
            marker_color=PALETTE[0],
            hovertemplate="%{y:,} people with %{x} identifiers<extra></extra>",
        )
    )
    return _layout(
        figure,
        xaxis={"title": "identifiers per person", "dtick": 1},
        yaxis_title="people",
        showlegend=False,
    )


def _refused_links(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.sort_values("identifiers")
    figure = go.Figure(
        go.Bar(
            x=table["identifiers"],
            y=table["guard"],
            orientation="h",
            marker_color=PALETTE[3],
            text=table["identifiers"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} identifiers kept from linking<extra></extra>",
        )
    )
    return _layout(
        figure,
        xaxis={"title": "identifiers refused", **_whole_ticks(table["identifiers"].max())},
        showlegend=False,
    )


def _stacked_per_run(
    table: pd.DataFrame, run: str, value: str, by: str, hover: str, x_title: str, y_title: str
) -> go.Figure:
    """One bar per run (column `run`), stacked by `by`; `hover` names what `value` counts and
    may use `{group}`, the stack's name."""
    figure = go.Figure(
        [
            go.Bar(
                x=rows[run],
                y=rows[value],
                name=group,
                hovertemplate=f"{run} %{{x}}: %{{y:,}} {hover.format(group=group)}<extra></extra>",
            )
            for group, rows in table.groupby(by, sort=True)
        ]
    )
    return _layout(
        figure,
        barmode="stack",
        xaxis={"title": x_title, "type": "category", **RUN_AXIS},
        yaxis={"title": y_title, **_whole_ticks(table.groupby(run)[value].sum().max())},
    )


def _merges_per_run(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.assign(run=_run_label(frame["run_at"]))
    return _stacked_per_run(
        table, "run", "events", "event", "{group}", "run (start, UTC)", "events"
    )


def _segment_sizes(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.assign(run=_run_label(frame["run_at"]))
    figure = go.Figure(
        [
            go.Scatter(
                x=rows["run"],
                y=rows["members"],
                name=segment,
                mode="lines+markers",
                marker={"size": 9},
                hovertemplate=f"{segment} after run %{{x}}: %{{y:,}} people<extra></extra>",
            )
            for segment, rows in table.groupby("segment", sort=True)
        ]
    )
    return _layout(
        figure,
        xaxis={"title": "run (as_of, UTC)", "type": "category", **RUN_AXIS},
        yaxis={"title": "people in the segment", "rangemode": "tozero"},
    )


def _segment_moves(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.assign(run=_run_label(frame["run_at"]))
    bars = []
    for index, (segment, rows) in enumerate(table.groupby("segment", sort=True)):
        colour = PALETTE[index % len(PALETTE)]
        bars.append(
            go.Bar(
                x=rows["run"],
                y=rows["entered"],
                name=segment,
                legendgroup=segment,
                marker_color=colour,
                hovertemplate=f"{segment}, run %{{x}}: %{{y:,}} entered<extra></extra>",
            )
        )
        bars.append(
            go.Bar(
                x=rows["run"],
                y=-rows["exited"],
                name=f"{segment} (left)",
                legendgroup=segment,
                showlegend=False,
                marker={"color": colour, "opacity": 0.55, "pattern": {"shape": "/"}},
                customdata=rows["exited"],
                hovertemplate=f"{segment}, run %{{x}}: %{{customdata:,}} left<extra></extra>",
            )
        )
    figure = go.Figure(bars)
    figure.add_hline(y=0, line_width=1, line_color="#555")
    return _layout(
        figure,
        barmode="relative",
        xaxis={"title": "run (as_of, UTC)", "type": "category", **RUN_AXIS},
        yaxis_title="people",
    )


def _rfm_grid(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    scores = list(range(1, 6))
    counts = frame.pivot_table(
        index="recency_score", columns="frequency_score", values="customers", aggfunc="sum"
    ).reindex(index=scores, columns=scores, fill_value=0)
    counts = counts.fillna(0).astype(int)
    revenue = (
        frame.pivot_table(
            index="recency_score", columns="frequency_score", values="revenue", aggfunc="sum"
        )
        .reindex(index=scores, columns=scores)
        .fillna(0)
    )
    figure = go.Figure(
        go.Heatmap(
            z=counts.values,
            x=[str(s) for s in scores],
            y=[str(s) for s in scores],
            colorscale="Blues",
            text=counts.values,
            texttemplate="%{text:,}",
            customdata=revenue.values,
            colorbar={"title": "customers"},
            hovertemplate=(
                "recency %{y}, frequency %{x}: %{z:,} customers, "
                "revenue %{customdata:,.0f}<extra></extra>"
            ),
        )
    )
    return _layout(
        figure,
        xaxis_title="frequency score (5 = most orders)",
        yaxis_title="recency score (5 = bought most recently)",
    )


def _lifecycle(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    known = [stage for stage in LIFECYCLE_ORDER if stage in set(frame["stage"])]
    others = sorted(set(frame["stage"].dropna()) - set(LIFECYCLE_ORDER))
    order = known + others
    table = frame.set_index("stage").reindex(order).fillna(0).reset_index()
    figure = go.Figure(
        go.Bar(
            x=table["people"],
            y=[stage.replace("_", " ") for stage in table["stage"]],
            orientation="h",
            marker_color=[
                PALETTE[3] if stage in ("at_risk", "churned") else PALETTE[0]
                for stage in table["stage"]
            ],
            text=[f"{int(n):,}" for n in table["people"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} people<extra></extra>",
        )
    )
    return _layout(
        figure,
        xaxis_title="people",
        yaxis={"autorange": "reversed"},
        showlegend=False,
    )


def _consent_class(status: str, is_marketable: bool) -> str:
    if is_marketable:
        return "can be messaged"
    if status == "subscribed":
        return "subscribed, cannot be messaged"
    return status


def _consent(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.assign(
        consent=[
            _consent_class(status, bool(marketable))
            for status, marketable in zip(frame["status"], frame["is_marketable"], strict=True)
        ]
    )
    table = table.groupby(["channel", "consent"], as_index=False)["people"].sum()
    first = ["can be messaged", "subscribed, cannot be messaged", "unsubscribed", "unknown"]
    order = [c for c in first if c in set(table["consent"])] + sorted(
        set(table["consent"]) - set(first)
    )
    colours = {
        "can be messaged": PALETTE[2],
        "subscribed, cannot be messaged": PALETTE[5],
        "unsubscribed": PALETTE[3],
        "unknown": "#b9b9b9",
    }
    totals = table.groupby("channel")["people"].sum()
    figure = go.Figure(
        [
            go.Bar(
                x=rows["people"],
                y=rows["channel"],
                name=consent,
                orientation="h",
                marker_color=colours.get(consent),
                customdata=rows["people"] / rows["channel"].map(totals),
                hovertemplate=(
                    f"%{{y}}: %{{x:,}} people {consent} (%{{customdata:.0%}})<extra></extra>"
                ),
            )
            for consent in order
            for rows in [table[table["consent"] == consent]]
        ]
    )
    return _layout(figure, barmode="stack", xaxis_title="people", height=260)


def _probability_alive(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    width = queries.PROBABILITY_BIN
    figure = go.Figure(
        go.Bar(
            x=frame["bin_start"] + width / 2,
            y=frame["customers"],
            width=width * 0.95,
            marker_color=PALETTE[2],
            hovertemplate=(
                f"%{{y:,}} customers with p_alive %{{x:.3f}} ± {width / 2:.3f}<extra></extra>"
            ),
        )
    )
    return _layout(
        figure,
        xaxis={"title": "probability the customer is still active", "range": [0, 1]},
        yaxis_title="customers",
        showlegend=False,
    )


def _expected_purchases(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    width, cap = queries.PURCHASES_BIN, queries.PURCHASES_CAP
    labels = [
        f"{start:g}+" if start >= cap else f"{start:g}–{start + width:g}"
        for start in frame["bin_start"]
    ]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=frame["customers"],
            marker_color=PALETTE[4],
            hovertemplate="%{y:,} customers expected to buy %{x} times<extra></extra>",
        )
    )
    return _layout(
        figure,
        xaxis={"title": "expected purchases in the next 365 days", "type": "category"},
        yaxis_title="customers",
        showlegend=False,
    )


def _ingestion(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.sort_values("source_table", ascending=False)
    hover = [
        f"{files:,} file(s), {rejected:,} rejected"
        for files, rejected in zip(table["files"], table["files_rejected"], strict=True)
    ]
    figure = go.Figure(
        [
            go.Bar(
                x=table["rows_loaded"],
                y=table["source_table"],
                name="rows loaded",
                orientation="h",
                marker_color=PALETTE[0],
                customdata=hover,
                hovertemplate="%{y}: %{x:,} rows loaded; %{customdata}<extra></extra>",
            ),
            go.Bar(
                x=table["rows_quarantined"],
                y=table["source_table"],
                name="rows quarantined",
                orientation="h",
                marker_color=PALETTE[3],
                text=[f"{n:,} quarantined" if n else "" for n in table["rows_quarantined"]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x:,} rows quarantined<extra></extra>",
            ),
        ]
    )
    return _layout(
        figure,
        barmode="stack",
        xaxis={"title": "rows (log scale)", "type": "log", "dtick": 1},
        legend={"traceorder": "normal"},
        height=max(HEIGHT, 28 * len(table) + 80),
    )


def _quarantine(frame: pd.DataFrame, top: int = 15) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.assign(file=frame["source_table"] + ": " + frame["file"].map(_file_name))
    worst = table.groupby("file")["records"].sum().nlargest(top).index
    table = table[table["file"].isin(worst)]
    order = list(table.groupby("file")["records"].sum().sort_values().index)
    figure = go.Figure(
        [
            go.Bar(
                x=rows["records"],
                y=rows["file"],
                name=reason,
                orientation="h",
                hovertemplate=f"%{{y}}: %{{x:,}} records, {reason}<extra></extra>",
            )
            for reason, rows in table.groupby("reason", sort=True)
        ]
    )
    return _layout(
        figure,
        barmode="stack",
        xaxis={
            "title": "records quarantined",
            **_whole_ticks(table.groupby("file")["records"].sum().max()),
        },
        yaxis={"categoryorder": "array", "categoryarray": order},
        showlegend=True,  # plotly hides a one-reason legend, but the reason is the point
        legend={"title": {"text": "reason"}},
        height=160 + 34 * len(order),
    )


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _warnings(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.assign(load=_run_label(frame["loaded_at"]))
    return _stacked_per_run(
        table,
        "load",
        "warnings",
        "column",
        "unknown values in {group}",
        "load of the file (UTC)",
        "values read as unknown",
    )


def _exports(frame: pd.DataFrame) -> go.Figure | None:
    if frame.empty:
        return None
    table = frame.assign(run=_run_label(frame["run_at"]))
    bars = []
    for index, (destination, rows) in enumerate(table.groupby("destination", sort=True)):
        colour = PALETTE[index % len(PALETTE)]
        bars.append(
            go.Bar(
                x=rows["run"],
                y=rows["adds"],
                name=destination,
                legendgroup=destination,
                marker_color=colour,
                hovertemplate=f"{destination}, run %{{x}}: %{{y:,}} added<extra></extra>",
            )
        )
        bars.append(
            go.Bar(
                x=rows["run"],
                y=-rows["removes"],
                name=f"{destination} (removed)",
                legendgroup=destination,
                showlegend=False,
                marker={"color": colour, "opacity": 0.55, "pattern": {"shape": "/"}},
                customdata=rows["removes"],
                hovertemplate=(
                    f"{destination}, run %{{x}}: %{{customdata:,}} removed<extra></extra>"
                ),
            )
        )
    figure = go.Figure(bars)
    figure.add_hline(y=0, line_width=1, line_color="#555")
    return _layout(
        figure,
        barmode="relative",
        xaxis={"title": "export run (start, UTC)", "type": "category", **RUN_AXIS},
        yaxis_title="people",
    )


@dataclass(frozen=True)
class _Spec:
    key: str
    section: str
    title: str
    how_to_read: str
    source: str
    frame: str
    draw: Callable[[pd.DataFrame], go.Figure | None]
    empty_note: str
    wide: bool = False


SPECS: tuple[_Spec, ...] = (
    _Spec(
        "tool_overlap",
        "Who each tool knows",
        "People per combination of tools",
        "Each bar is one combination of Mailchimp, Shopify and Square; its length is how many "
        "unified people those tools (and no other of the three) know, by a directory record or "
        "an order / email. Orange: one tool, blue: two, green: all three.",
        "marts.profiles",
        "tool_overlap",
        _tool_overlap,
        "No profiles yet: run `cdp run`.",
        wide=True,
    ),
    _Spec(
        "person_sizes",
        "Identity",
        "Identifiers per person",
        "How many identifiers (emails, phones, tool ids, browser ids) each person gathers: most "
        "people should sit at a few; a long tail to the right hints at over-merging.",
        "marts.profiles (identifier_count)",
        "person_sizes",
        _person_sizes,
        "No profiles yet: run `cdp run`.",
    ),
    _Spec(
        "refused_links",
        "Identity",
        "Links refused by the guards",
        "Identifiers kept from joining records into one person, per guard (shared phones, "
        "blocklisted values, name conflicts, per-person limits): each bar is a merge avoided.",
        "marts.identity_refused_links",
        "refused_links",
        _refused_links,
        "No guard has refused a link: no identifier was shared, blocklisted or over a limit.",
    ),
    _Spec(
        "merges_per_run",
        "Identity",
        "Merges and splits per run",
        "People merged (a new record joined two known people) or split (an identifier moved "
        "away) in each run, the changes your CRM receives in crm_contact_merges.",
        "marts.identity_merges",
        "merges_per_run",
        _merges_per_run,
        "No merge or split yet: every run so far kept the people of the run before.",
    ),
    _Spec(
        "segment_sizes",
        "Segments",
        "Segment sizes over time",
        "People in each segment after every run that changed a segment (x: the run's as_of).",
        "marts.segment_membership_history",
        "segment_history",
        _segment_sizes,
        "No segment membership recorded yet: run `cdp run`.",
    ),
    _Spec(
        "segment_moves",
        "Segments",
        "Who entered and left each segment",
        "Solid bars above zero: people who entered a segment in that run; hatched bars below "
        "zero: people who left it. The first run enters everyone.",
        "marts.segment_membership_history",
        "segment_history",
        _segment_moves,
        "No segment membership recorded yet: run `cdp run`.",
    ),
    _Spec(
        "rfm_grid",
        "Customers",
        "RFM grid",
        "Customers by recency score (rows) and frequency score (columns), 5 the best; the "
        "darker the cell, the more customers. Top right: recent, frequent buyers; bottom "
        "right: frequent buyers drifting away. Hover for the cell's revenue.",
        "marts.profiles (recency_score, frequency_score, monetary_score)",
        "rfm_grid",
        _rfm_grid,
        "No customer has an RFM score yet: no orders are loaded.",
    ),
    _Spec(
        "lifecycle",
        "Customers",
        "Lifecycle stages",
        "Everyone by lifecycle stage, from anonymous visitors down to VIPs; the red bars are "
        "customers slipping away (at risk) or gone (churned).",
        "marts.profiles (lifecycle_stage)",
        "lifecycle_stages",
        _lifecycle,
        "No profiles yet: run `cdp run`.",
    ),
    _Spec(
        "consent",
        "Consent",
        "Consent coverage per channel",
        "For email and SMS, the share of people you may message now (green), who subscribed "
        "but cannot be messaged (bounced, no address), who unsubscribed, and whose consent is "
        "unknown (never messaged).",
        "marts.profiles (email_/sms_consent_status, is_email_/is_sms_marketable)",
        "consent_coverage",
        _consent,
        "No profiles yet: run `cdp run`.",
        wide=True,
    ),
    _Spec(
        "probability_alive",
        "Predictive traits",
        "Probability each customer is still active",
        "Customers by the model's probability that they will buy again (p_alive): a heap near 1 "
        "is a loyal base; a heap near 0 is customers already lost.",
        "predictive.customer_predictions (probability_alive)",
        "probability_alive",
        _probability_alive,
        "No predictions yet: the predictive step needs customers with orders.",
    ),
    _Spec(
        "expected_purchases",
        "Predictive traits",
        "Expected purchases in the next year",
        "Customers by the number of purchases the model expects from them in the next 365 "
        f"days, in steps of {queries.PURCHASES_BIN:g}; the last bar gathers everyone from "
        f"{queries.PURCHASES_CAP:g} up.",
        "predictive.customer_predictions (expected_purchases_365d)",
        "expected_purchases",
        _expected_purchases,
        "No predictions yet: the predictive step needs customers with orders.",
    ),
    _Spec(
        "ingestion",
        "Data quality",
        "Rows loaded and quarantined per source",
        "Rows of every raw table (log scale), loaded (blue) or held back in quarantine (red) "
        "because the record could not be read; hover for files and rejected files.",
        "meta.ingested_files",
        "ingestion_per_source",
        _ingestion,
        "No file ingested yet: drop exports into the landing folder and run `cdp run`.",
        wide=True,
    ),
    _Spec(
        "quarantine",
        "Data quality",
        "Quarantined records per file and reason",
        "The files with the most records held back, coloured by why (too many fields, a stray "
        "quote, …). Fix the file at the source and drop it again: its rows replace the "
        "earlier ones.",
        "raw.quarantined_rows",
        "quarantine_reasons",
        _quarantine,
        "No quarantined record: every line of every file could be read.",
        wide=True,
    ),
    _Spec(
        "warnings",
        "Data quality",
        "Unknown values per load",
        "Values the pipeline could not place (a consent status or event name outside the known "
        "vocabulary, read as `unknown`), by the load that brought the file and the column.",
        "marts.data_quality_warnings",
        "warnings_per_load",
        _warnings,
        "No warning: every vocabulary value was recognised.",
    ),
    _Spec(
        "exports",
        "Exports",
        "Adds and removes per destination and run",
        "People added to (solid, above zero) or removed from (hatched, below zero) each "
        "destination's audiences in each export run, summed over segments.",
        "meta.export_runs",
        "export_changes",
        _exports,
        "No export has run yet.",
        wide=True,
    ),
)


def build_charts(data: ReportData) -> list[Chart]:
    """Every chart of the report in reading order; empty sources give figure-less panels."""
    return [
        Chart(
            key=spec.key,
            section=spec.section,
            title=spec.title,
            how_to_read=spec.how_to_read,
            source=spec.source,
            figure=spec.draw(data.frames[spec.frame]),
            empty_note=spec.empty_note,
            wide=spec.wide,
        )
        for spec in SPECS
    ]
