"""The report as one HTML file that opens offline: styles and plotly.js inlined once, each chart
a plotly div, headline numbers on top, a "no data yet" panel where a source is empty."""

from __future__ import annotations

from datetime import datetime
from html import escape

from plotly.offline import get_plotlyjs

from cdp.report.charts import Chart
from cdp.report.queries import Headline

STYLE = """
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #e3e7ee; --panel: #ffffff; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; }
h3 { font-size: 16px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px;
         margin: 20px 0 8px; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
        padding: 14px 16px; }
.tile .value { font-size: 26px; font-weight: 650; }
.tile .value.small { font-size: 20px; line-height: 39px; white-space: nowrap; }
.tile .label { color: var(--muted); font-size: 13px; }
nav { display: flex; flex-wrap: wrap; gap: 8px 16px; margin: 12px 0 0; font-size: 14px; }
nav a { color: #2f6fdf; text-decoration: none; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
@media (max-width: 1100px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.panel.wide { grid-column: 1 / -1; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
         padding: 16px 18px 10px; min-width: 0; }
.how { color: var(--muted); margin: 0 0 10px; font-size: 14px; }
.source { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.source code { font-size: 12px; }
.no-data { display: flex; align-items: center; justify-content: center; min-height: 160px;
           border: 1px dashed var(--line); border-radius: 6px; color: var(--muted);
           text-align: center; padding: 16px; background: #fafbfc; }
.no-data strong { display: block; color: var(--ink); margin-bottom: 4px; }
footer { color: var(--muted); font-size: 13px; padding: 32px 24px; }
"""

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _revenue(revenue: dict[str, float]) -> str:
    if not revenue:
        return "—"
    return " + ".join(f"{total:,.0f} {currency}" for currency, total in revenue.items())


def _headline(headline: Headline) -> str:
    tiles = (
        ("people", _number(headline.people)),
        ("customers", _number(headline.customers)),
        ("net revenue", _revenue(headline.revenue)),
        ("segments", _number(headline.segments)),
        (
            "last run (UTC)",
            headline.last_run_at.strftime("%Y-%m-%d %H:%M") if headline.last_run_at else "never",
        ),
    )
    return "\n".join(
        f'<div class="tile"><div class="value{" small" if len(value) > 12 else ""}">'
        f'{escape(value)}</div><div class="label">{escape(label)}</div></div>'
        for label, value in tiles
    )


def _panel(chart: Chart) -> str:
    # Fixed columns, not auto-fit: each plot is drawn as its panel is parsed, so a panel's width
    # must not change when the panels after it arrive (plotly does not redraw then).
    classes = "panel wide" if chart.wide else "panel"
    head = f'<h3>{escape(chart.title)}</h3>\n<p class="how">{escape(chart.how_to_read)}</p>'
    source = f'<p class="source">Source: <code>{escape(chart.source)}</code></p>'
    if chart.figure is None:
        body = (
            f'<div class="no-data"><div><strong>No data yet</strong>'
            f"{escape(chart.empty_note)}</div></div>"
        )
        return (
            f'<article class="{classes} empty" data-empty="{chart.key}">\n'
            f"{head}\n{body}\n{source}\n</article>"
        )
    figure = chart.figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{chart.key}",
        config=PLOTLY_CONFIG,
        default_height=f"{chart.figure.layout.height}px",
    )
    return (
        f'<article class="{classes}">\n{head}\n'
        f'<div class="chart" data-chart="{chart.key}">{figure}</div>\n{source}\n</article>'
    )


def _section_id(section: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in section.lower()).strip("-")


def render_html(
    charts: list[Chart], headline: Headline, warehouse: str, generated_at: datetime
) -> str:
    """The whole page. `data-chart-count` on <body> declares how many charts it draws."""
    sections: dict[str, list[Chart]] = {}
    for chart in charts:
        sections.setdefault(chart.section, []).append(chart)
    drawn = sum(chart.figure is not None for chart in charts)
    nav = " ".join(
        f'<a href="#{_section_id(section)}">{escape(section)}</a>' for section in sections
    )
    body = "\n".join(
        f'<section id="{_section_id(section)}">\n<h2>{escape(section)}</h2>\n<div class="grid">\n'
        + "\n".join(_panel(chart) for chart in members)
        + "\n</div>\n</section>"
        for section, members in sections.items()
    )
    # plotly.js holds no "</script": inlining it as is cannot close the tag early.
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer data report</title>
<style>{STYLE}</style>
<script>{get_plotlyjs()}</script>
</head>
<body data-chart-count="{drawn}">
<header>
<h1>Customer data report</h1>
<p class="meta">Warehouse <code>{escape(warehouse)}</code>, generated
{generated_at.strftime("%Y-%m-%d %H:%M")} UTC. {drawn} of {len(charts)} charts have data.</p>
<div class="tiles">
{_headline(headline)}
</div>
<nav>{nav}</nav>
</header>
<main>
{body}
</main>
<footer>Made by <code>cdp report</code>: every number is read from the warehouse; hover a chart
for exact values. docs/report.md explains each chart and the table behind it.</footer>
</body>
</html>
"""
