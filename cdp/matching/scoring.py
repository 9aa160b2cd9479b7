"""Scoring the current records with the saved model and writing the pairs to the warehouse.

Every run: read the candidate records, predict with the saved model (its prior rescaled to
this run's record count, `model.py`), keep the pairs at or above `floor` and replace
`identity_matching.record_pairs` with them. Which of those pairs become links is decided in dbt
(threshold and guards: `int_identity_probabilistic_links`), so a stricter threshold needs no
re-scoring. The floor keeps near misses visible in `identity_probabilistic_links`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from cdp.matching.explanation import explanation_sql, non_name_weight_sql
from cdp.matching.model import load_model, model_id, splink_settings_for
from cdp.matching.records import read_records
from cdp.matching.scratch import scratch_linker

PAIRS_SCHEMA = "identity_matching"
PAIRS_TABLE = f"{PAIRS_SCHEMA}.record_pairs"
DEFAULT_FLOOR = 0.5

PAIRS_DDL = f"""
create or replace table {PAIRS_TABLE} (
    record_key_l varchar,
    record_key_r varchar,
    match_weight double,
    match_probability double,
    non_name_weight double,
    comparison_levels varchar,
    model_id varchar,
    scored_at timestamp
)
"""


@dataclass
class ScoringRun:
    records: int
    pairs: int
    model_id: str
    seconds: dict[str, float] = field(default_factory=dict)


def predict_pairs(
    records: pa.Table, model: dict, floor: float = DEFAULT_FLOOR, threads: int | None = None
) -> pa.Table:
    """The scored pairs (record_key_l < record_key_r) at or above `floor`, with explanations."""
    settings = splink_settings_for(model, records.num_rows)
    logging.getLogger("splink").setLevel(logging.ERROR)
    with scratch_linker(records, settings, threads=threads) as (linker, conn):
        predictions = linker.inference.predict(threshold_match_probability=floor)
        return conn.sql(
            f"""
            select
                least(record_key_l, record_key_r) as record_key_l,
                greatest(record_key_l, record_key_r) as record_key_r,
                match_weight,
                match_probability,
                {non_name_weight_sql(model)} as non_name_weight,
                {explanation_sql(model)} as comparison_levels
            from {predictions.physical_name}
            order by record_key_l, record_key_r
            """
        ).to_arrow_table()


def score_records(
    conn: duckdb.DuckDBPyConnection,
    model_file: Path,
    floor: float = DEFAULT_FLOOR,
    threads: int | None = None,
) -> ScoringRun:
    """Reads the candidate records, scores them and replaces identity_matching.record_pairs."""
    model = load_model(model_file)
    started = time.perf_counter()
    records = read_records(conn)
    seconds = {"read": time.perf_counter() - started}
    started = time.perf_counter()
    if records.num_rows >= 2:
        pairs = predict_pairs(records, model, floor, threads=threads)
    else:
        pairs = None
    seconds["predict"] = time.perf_counter() - started
    started = time.perf_counter()
    fingerprint = model_id(model)
    conn.execute(f"create schema if not exists {PAIRS_SCHEMA}")
    # One transaction: a run stopped half-way leaves the previous pairs, never half of new ones.
    conn.execute("begin transaction")
    try:
        conn.execute(PAIRS_DDL)
        if pairs is not None and pairs.num_rows:
            conn.register("scored_pairs_arrow", pairs)
            conn.execute(
                f"insert into {PAIRS_TABLE} select record_key_l, record_key_r, match_weight, "
                "match_probability, non_name_weight, comparison_levels, ?, ? "
                "from scored_pairs_arrow",
                [fingerprint, datetime.now(UTC).replace(tzinfo=None)],
            )
            conn.unregister("scored_pairs_arrow")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    seconds["write"] = time.perf_counter() - started
    return ScoringRun(
        records=records.num_rows,
        pairs=pairs.num_rows if pairs is not None else 0,
        model_id=fingerprint,
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )
