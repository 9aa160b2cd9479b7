"""Splink's own charts of the current model, as self-contained HTML files (`cdp match charts`):
the match weight of every comparison level, and the m and u probabilities behind them."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from cdp.matching.comparisons import RECORD_COLUMNS
from cdp.matching.model import load_model, splink_settings_for
from cdp.matching.scratch import scratch_linker

CHARTS = ("match_weights", "m_u_parameters")


def write_charts(model_file: Path, out_dir: Path) -> list[Path]:
    """Writes `<chart>.html` for each chart of CHARTS (scripts inlined: they open offline)."""
    model = load_model(model_file)
    # The charts read the model only: the linker needs a table with the right columns, no rows.
    empty = pa.table({column: pa.array([], pa.string()) for column in RECORD_COLUMNS})
    settings = splink_settings_for(model, records=model.get("cdp", {}).get("records") or 0)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with scratch_linker(empty, settings) as (linker, _):
        charts = {
            "match_weights": linker.visualisations.match_weights_chart(),
            "m_u_parameters": linker.visualisations.m_u_parameters_chart(),
        }
        for name in CHARTS:
            path = out_dir / f"{name}.html"
            path.write_text(charts[name].to_html(inline=True), encoding="utf-8")
            written.append(path)
    return written
