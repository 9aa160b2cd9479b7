"""The saved Splink model: where it lives, reading it, and its prior for the data at hand.

The model is Splink's own settings JSON (`linker.misc.save_model_to_json`), plus a `cdp` entry
with how many records it was estimated on. m and u describe how fields of one person and of
two people agree, which carries over to new data; the prior — the probability that two random
records are one person — does not: among N records where each person has a few records, it is
proportional to 1 / (N − 1). So each run rescales the saved prior to its own record count
instead of trusting the count of the training data.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from cdp.core.settings import Settings

DEFAULT_MODEL_PATH = Path(__file__).with_name("model.json")


def model_path(settings: Settings) -> Path:
    """The model a run uses: CDP_MATCH_MODEL when set, else the one shipped in the repo."""
    return settings.match_model or DEFAULT_MODEL_PATH


def load_model(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no probabilistic matching model here; `cdp match train` estimates one "
            "(or unset CDP_MATCH_MODEL to use the shipped model)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def model_id(model: dict[str, Any]) -> str:
    """A short fingerprint of the model, recorded with every pair it scored."""
    text = json.dumps(model, sort_keys=True).encode()
    return hashlib.sha256(text).hexdigest()[:12]


def splink_settings_for(model: dict[str, Any], records: int) -> dict[str, Any]:
    """Splink's settings dict for scoring `records` records: the prior rescaled from the
    training data's size (module docstring) and without the `cdp` entry Splink does not know."""
    settings = copy.deepcopy(model)
    neutralise_unestimated(settings)
    trained_on = settings.pop("cdp", {}).get("records")
    prior = settings["probability_two_random_records_match"]
    if trained_on and records > 1:
        prior = min(prior * (trained_on - 1) / (records - 1), 0.5)
    settings["probability_two_random_records_match"] = prior
    # The settings name a dialect; scoring runs on DuckDB whatever the model was trained on.
    settings["sql_dialect"] = "duckdb"
    settings.pop("linker_uid", None)
    return settings


def neutralise_unestimated(model: dict[str, Any]) -> list[str]:
    """Gives every level that training could not estimate the same m and u (weight 0: no
    evidence either way) and returns their names. Random sampling may never meet a rare
    agreement (two different people with one email local part) and EM may never see one, and
    Splink would otherwise score such a level with whatever default it has."""
    neutral = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if m and u:
                continue
            level["m_probability"] = level["u_probability"] = m or u or 0.5
            neutral.append(f"{comparison['output_column_name']}: {level['label_for_charts']}")
    return neutral


def save_model(splink_model: dict[str, Any], path: Path, records: int, trained_on: str) -> None:
    model = copy.deepcopy(splink_model)
    model.pop("linker_uid", None)
    neutral = neutralise_unestimated(model)
    model["cdp"] = {"records": records, "trained_on": trained_on, "neutral_levels": neutral}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
