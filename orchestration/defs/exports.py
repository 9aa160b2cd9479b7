"""One export asset per segment × destination, generated from the segments' dbt `meta`, with
asset checks that the file adds up to its segment and holds no unconsented or suppressed person.
"""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from cdp.core.settings import Settings
from exports.checks import check_marketing_consent, check_row_counts
from exports.destinations import get_destination
from exports.run_log import record_export_run, record_failed_export_run
from exports.segments import SegmentSpec, load_segment_specs
from exports.suppression import load_suppression
from exports.webhook import WebhookClient
from exports.writer import export_segment
from orchestration.defs.transform import cdp_dbt_models
from orchestration.owners import MARKETING_OPS
from orchestration.resources import CdpSettingsResource, WarehouseResource


def export_asset_key(destination: str, segment: str) -> dg.AssetKey:
    return dg.AssetKey(["exports", destination, segment])


def _webhook(settings: Settings) -> WebhookClient | None:
    if not settings.webhook_url:
        return None
    return WebhookClient(settings.webhook_url, batch_size=settings.webhook_batch_size)


def _build_export_asset(segment: SegmentSpec, destination: str) -> dg.AssetsDefinition:
    dest = get_destination(destination)

    @dg.asset(
        key=export_asset_key(destination, segment.name),
        group_name="exports",
        kinds={dest.file_format, destination},
        deps=[get_asset_key_for_model([cdp_dbt_models], segment.model_name)],
        owners=[MARKETING_OPS],
        # An audience file holds the emails and phones of its people.
        tags={"layer": "export", "destination": destination, "pii": ""},
        description=(
            f"{segment.description} → {dest.title} "
            f"(<CDP_EXPORTS_DIR>/{destination}/{segment.name}/: full file, adds, removes, "
            "manifest.json)."
        ),
    )
    def export(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        cdp_settings: CdpSettingsResource,
    ):
        settings = cdp_settings.settings()
        started_at = datetime.now(UTC)
        with warehouse.connection() as conn:
            try:
                result = export_segment(
                    conn,
                    segment,
                    destination,
                    settings.exports_dir,
                    started_at,
                    suppression=load_suppression(
                        settings.suppression_file, settings.default_phone_region
                    ),
                    webhook=_webhook(settings),
                )
            except Exception as exc:
                record_failed_export_run(
                    conn, destination, segment.name, str(exc), started_at, datetime.now(UTC)
                )
                raise
            record_export_run(conn, result, started_at, datetime.now(UTC))
        if result.status == "skipped":
            context.log.warning(f"{destination}/{segment.name}: {result.message}")
        metadata = result.as_metadata()
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows,
                "status": result.status,
                "path": dg.MetadataValue.path(str(result.path)),
                "segment_size": result.segment_size,
                "adds": result.adds,
                "removes": result.removes,
                "refused": dg.MetadataValue.json(metadata["refused"]),
                "warnings": dg.MetadataValue.json(metadata["warnings"]),
                "sha256": result.sha256,
                "delivery": dg.MetadataValue.json(result.delivery or {}),
            }
        )

    return export


def _build_export_checks(segment: SegmentSpec, destination: str) -> list[dg.AssetChecksDefinition]:
    key = export_asset_key(destination, segment.name)

    @dg.asset_check(
        asset=key,
        name="rows_add_up_to_segment",
        description="Manifest rows + refused = people in the segment; the file matches its sha256.",
    )
    def rows_add_up(
        warehouse: WarehouseResource, cdp_settings: CdpSettingsResource
    ) -> dg.AssetCheckResult:
        settings = cdp_settings.settings()
        with warehouse.connection() as conn:
            outcome = check_row_counts(conn, segment, destination, settings.exports_dir)
        return dg.AssetCheckResult(
            passed=outcome.passed,
            description=outcome.description,
            metadata=outcome.metadata,
        )

    checks = [rows_add_up]
    if get_destination(destination).marketing_channel:

        @dg.asset_check(
            asset=key,
            name="only_consented_unsuppressed_people",
            description="Everyone in this marketing file is marketable and not suppressed.",
        )
        def consented(
            warehouse: WarehouseResource, cdp_settings: CdpSettingsResource
        ) -> dg.AssetCheckResult:
            settings = cdp_settings.settings()
            suppression = load_suppression(settings.suppression_file, settings.default_phone_region)
            with warehouse.connection() as conn:
                outcome = check_marketing_consent(
                    conn, segment, destination, settings.exports_dir, suppression
                )
            return dg.AssetCheckResult(
                passed=outcome.passed,
                description=outcome.description,
                metadata=outcome.metadata,
                severity=dg.AssetCheckSeverity.ERROR,
            )

        checks.append(consented)
    return checks


def build_export_assets(manifest_path: Path) -> list[dg.AssetsDefinition]:
    return [
        _build_export_asset(segment, destination)
        for segment in load_segment_specs(manifest_path)
        for destination in segment.destinations
    ]


def build_export_checks(manifest_path: Path) -> list[dg.AssetChecksDefinition]:
    return [
        check
        for segment in load_segment_specs(manifest_path)
        for destination in segment.destinations
        for check in _build_export_checks(segment, destination)
    ]
