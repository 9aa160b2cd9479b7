"""One export asset per segment × destination, generated from the segments' dbt `meta`."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from exports.run_log import record_export_run
from exports.segments import SegmentSpec, load_segment_specs
from exports.writer import export_segment
from ingestion.settings import Settings
from orchestration.defs.transform import cdp_dbt_models
from orchestration.resources import WarehouseResource


def export_asset_key(destination: str, segment: str) -> dg.AssetKey:
    return dg.AssetKey(["exports", destination, segment])


def _build_export_asset(segment: SegmentSpec, destination: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=export_asset_key(destination, segment.name),
        group_name="exports",
        kinds={"csv", destination},
        deps=[get_asset_key_for_model([cdp_dbt_models], segment.model_name)],
        description=(
            f"{segment.description} → {destination} import file "
            f"(<CDP_EXPORTS_DIR>/{destination}/{segment.name}/)."
        ),
    )
    def export(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = Settings.from_env()
        started_at = datetime.now(UTC)
        with warehouse.connection() as conn:
            result = export_segment(conn, segment, destination, settings.exports_dir, started_at)
            record_export_run(conn, result, started_at, datetime.now(UTC))
        metadata = result.as_metadata()
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows,
                "path": dg.MetadataValue.path(str(result.path)),
                "segment_size": result.segment_size,
                "refused": dg.MetadataValue.json(metadata["refused"]),
                "sha256": result.sha256,
            }
        )

    return export


def build_export_assets(manifest_path: Path) -> list[dg.AssetsDefinition]:
    return [
        _build_export_asset(segment, destination)
        for segment in load_segment_specs(manifest_path)
        for destination in segment.destinations
    ]
