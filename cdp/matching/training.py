"""Estimating the model's parameters without labels (`cdp match train`).

Splink's documented sequence: the prior from deterministic rules that admit almost no false
positives, u by random sampling of pairs (two random records are almost always two people),
then m by expectation maximisation in several blocked sessions, each session blocking on
fields it does not estimate (names, then postcode, then phone) so that every comparison gets
an estimate from at least one.
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa

from cdp.matching.comparisons import settings as fresh_settings
from cdp.matching.scratch import scratch_linker


def train(records: pa.Table, seed: int = 1) -> dict[str, Any]:
    """Splink's settings dict with estimated parameters, for `model.save_model`."""
    from splink import block_on

    if records.num_rows < 100:
        raise ValueError(
            f"only {records.num_rows} person-like records: too few to estimate a matching "
            "model (keep the shipped one)"
        )
    logging.getLogger("splink").setLevel(logging.ERROR)
    with scratch_linker(records, fresh_settings()) as (linker, _):
        linker.training.estimate_probability_two_random_records_match(
            [block_on("email"), block_on("first_name", "last_name", "birth_date")], recall=0.6
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
        for rule in (
            block_on("first_name", "last_name"),
            block_on("postcode"),
            block_on("phone_last7"),
        ):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, fix_probability_two_random_records_match=True
            )
        return linker.misc.save_model_to_json()
