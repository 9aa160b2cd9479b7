"""A pair's comparison levels and match weights in words: Splink's waterfall as one line.

`first_name: Exact match on first_name +6.9; last_name: Exact match on last_name +9.1; …`: for
each comparison, the level the pair fell in (Splink's own label) and its weight in bits (log2
of the Bayes factor, with the term-frequency adjustment where the comparison has one). The
match weight of the pair is the prior's weight plus these. Built in SQL from the prediction's
per-comparison weights (`mw_*`), so it costs one pass however many pairs there are.
"""

from __future__ import annotations

import math
from typing import Any


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def levels_of(comparison: dict[str, Any]) -> list[tuple[float, str]]:
    """(match weight, label) of each level. Splink's predictions carry each comparison's weight
    (`mw_<name>`), not its level, and every level has its own weight log2(m / u): the weight
    tells the level. The null level weighs 0."""
    out = []
    for level in comparison["comparison_levels"]:
        if level.get("is_null_level"):
            out.append((0.0, level["label_for_charts"]))
        elif level.get("m_probability") and level.get("u_probability"):
            weight = math.log2(level["m_probability"] / level["u_probability"])
            out.append((weight, level["label_for_charts"]))
    return out


def has_tf(comparison: dict[str, Any]) -> bool:
    return any(level.get("tf_adjustment_column") for level in comparison["comparison_levels"])


def explanation_sql(model: dict[str, Any]) -> str:
    """A DuckDB expression over Splink's predictions that reads as the pair's explanation."""
    parts = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        cases = " ".join(
            f"when abs(mw_{name} - ({weight!r})) < 1e-9 then {_quote(label)}"
            for weight, label in levels_of(comparison)
        )
        weight = _weight_sql(comparison)
        parts.append(
            f"{_quote(name + ': ')} || (case {cases} else 'other level' end)"
            f" || ' ' || printf('%+.1f', {weight})"
        )
    return "concat_ws('; ', " + ", ".join(parts) + ")"


# Comparisons that say who someone is called, not which of the people with that name they are.
NAME_COMPARISONS = ("first_name", "last_name")


def _weight_sql(comparison: dict[str, Any]) -> str:
    name = comparison["output_column_name"]
    if has_tf(comparison):
        return f"(mw_{name} + coalesce(mw_tf_adj_{name}, 0))"
    return f"mw_{name}"


def non_name_weight_sql(model: dict[str, Any]) -> str:
    """The weight of every comparison but the names: what the rest of the two records says.
    Two namesakes with nothing else on one of the records score high on names alone (a common
    name still weighs 15 bits); the link guard asks the rest to agree too (decision in
    int_identity_probabilistic_links)."""
    parts = [
        _weight_sql(comparison)
        for comparison in model["comparisons"]
        if comparison["output_column_name"] not in NAME_COMPARISONS
    ]
    return " + ".join(parts) if parts else "0"


def parse_explanation(text: str) -> list[tuple[str, str, float]]:
    """(comparison, level, weight) from an explanation line, for `cdp explain`."""
    out = []
    for part in (text or "").split("; "):
        name, _, rest = part.partition(": ")
        label, _, weight = rest.rpartition(" ")
        try:
            out.append((name, label, float(weight)))
        except ValueError:
            out.append((name, rest, 0.0))
    return out
