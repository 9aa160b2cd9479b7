"""Probabilistic matching between two dbt steps (docs/identity.md, "Probabilistic matching").

dbt builds the person-like records (intermediate.int_identity_candidate_records, step
cdp_dbt_matching_inputs); this Python asset scores their pairs with the saved Splink model
(cdp/matching/) and writes identity_matching.record_pairs; the next dbt step (cdp_dbt_models)
turns the pairs above the threshold into links between people, inside every identity guard.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from cdp.matching.model import model_path
from cdp.matching.scoring import DEFAULT_FLOOR, PAIRS_TABLE, score_records
from orchestration.defs.transform import cdp_dbt_matching_inputs
from orchestration.owners import DATA_PLATFORM
from orchestration.resources import CdpSettingsResource, WarehouseResource

RECORD_PAIRS_KEY = dg.AssetKey(["identity_matching", "record_pairs"])


class MatchingConfig(dg.Config):
    """Options of the scoring step."""

    floor: float = DEFAULT_FLOOR
    """Pairs scored below this probability are not kept (the link threshold is the dbt var
    identity_probabilistic_threshold, applied after the guards)."""


@dg.asset(
    key=RECORD_PAIRS_KEY,
    deps=[get_asset_key_for_model([cdp_dbt_matching_inputs], "int_identity_candidate_records")],
    group_name="identity",
    kinds={"python", "splink", "duckdb"},
    owners=[DATA_PLATFORM],
    tags={"layer": "intermediate"},
    description=(
        "Pairs of person-like records scored by the saved Splink model (names, address, "
        "birthday, email, phone; cdp/matching/model.json or CDP_MATCH_MODEL): the candidates "
        "for probabilistic links (docs/identity.md)."
    ),
)
def record_pairs(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    cdp_settings: CdpSettingsResource,
    config: MatchingConfig,
) -> dg.MaterializeResult:
    """Scores every blocked pair of candidate records; replaces identity_matching.record_pairs."""
    model_file = model_path(cdp_settings.settings())
    try:
        with warehouse.connection() as conn:
            run = score_records(conn, model_file, floor=config.floor)
    except FileNotFoundError as error:
        raise dg.Failure(str(error)) from None
    context.log.info(
        f"Scored {run.records:,} person-like records with model {run.model_id}: "
        f"{run.pairs:,} pairs at or above {config.floor}"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": run.pairs,
            "table": PAIRS_TABLE,
            "records": run.records,
            "model": str(model_file),
            "model_id": run.model_id,
            "seconds": dg.MetadataValue.json(run.seconds),
        }
    )
