"""One Dagster asset per raw table, plus the phone-number lookup the identity layer joins."""

import dagster as dg

from ingestion.loader import load_source
from ingestion.phone_lookup import LOOKUP_TABLE, refresh_lookup
from ingestion.sources import SOURCES, SourceSpec
from orchestration.resources import CdpSettingsResource, WarehouseResource


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def _build_raw_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(spec.table),
        group_name="raw",
        kinds={"duckdb", spec.tool},
        description=f"{spec.description} Files: {spec.tool}/{' | '.join(spec.file_patterns)}",
    )
    def raw_table(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        cdp_settings: CdpSettingsResource,
    ):
        with warehouse.connection() as conn:
            report = load_source(conn, spec, cdp_settings.settings().landing_dir)
        for problem in report.rejected:
            context.log.error(f"{problem.file_path}: rejected: {problem.message}")
        loaded = [f for f in report.files if f.status == "loaded"]
        for f in loaded:
            if f.rows_quarantined:
                context.log.warning(
                    f"{f.file_path}: {f.rows_quarantined:,} record(s) quarantined "
                    "(raw.quarantined_rows)"
                )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": report.total_rows,
                "rows_loaded_this_run": report.rows_loaded,
                "rows_quarantined_this_run": report.rows_quarantined,
                "files_loaded": len(loaded),
                "files_skipped": sum(f.status in ("unchanged", "duplicate") for f in report.files),
                "files_rejected": len(report.rejected),
                "rejections": dg.MetadataValue.md(
                    "\n".join(f"- `{f.file_path}`: {f.message}" for f in report.rejected) or "none"
                ),
                "file_notes": dg.MetadataValue.md(
                    "\n".join(f"- `{f.file_path}`: {f.message}" for f in loaded if f.message)
                    or "none"
                ),
            }
        )

    return raw_table


raw_assets = [_build_raw_asset(spec) for spec in SOURCES.values()]

PHONE_LOOKUP_KEY = dg.AssetKey(["raw", "phone_numbers"])


@dg.asset(
    key=PHONE_LOOKUP_KEY,
    group_name="raw",
    kinds={"duckdb", "python"},
    deps=[raw_asset_key(spec.table) for spec in SOURCES.values() if spec.phone_columns],
    description=f"{LOOKUP_TABLE}: every raw phone value with its E.164 form (libphonenumber).",
)
def phone_numbers(
    warehouse: WarehouseResource, cdp_settings: CdpSettingsResource
) -> dg.MaterializeResult:
    region = cdp_settings.settings().default_phone_region
    with warehouse.connection() as conn:
        added = refresh_lookup(conn, region)
        total = conn.execute(f"select count(*) from {LOOKUP_TABLE}").fetchone()[0]
    return dg.MaterializeResult(metadata={"dagster/row_count": total, "values_added": added})
