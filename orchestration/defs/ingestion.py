"""The landing folders, one Dagster asset per raw table read from them, and the phone-number
lookup the identity layer joins."""

import re

import dagster as dg

from ingestion.loader import load_source
from ingestion.phone_lookup import LOOKUP_TABLE, refresh_lookup
from ingestion.sources import SOURCES, SourceSpec
from orchestration.owners import DATA_PLATFORM
from orchestration.resources import CdpSettingsResource, WarehouseResource

# Raw columns that name a person or reach them: such a table is tagged `pii` (the dbt models
# say the same of theirs with the dbt tag, dbt_project.yml).
_PERSONAL_COLUMN = re.compile(r"email|phone|first_name|last_name|customer_name|address")


def _pii_tag(spec: SourceSpec) -> dict[str, str]:
    return {"pii": ""} if any(_PERSONAL_COLUMN.search(c) for c in spec.columns) else {}


def raw_asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


def landing_asset_key(tool: str) -> dg.AssetKey:
    return dg.AssetKey(["landing", tool])


def _landing_folder(tool: str) -> dg.AssetSpec:
    """The folder a tool's exports are dropped into: the start of the graph, written by people
    or a sync tool, never by Dagster (an external asset)."""
    expected = "\n".join(
        f"- {spec.label}: `{'`, `'.join(spec.file_patterns)}`"
        for spec in SOURCES.values()
        if spec.tool == tool
    )
    return dg.AssetSpec(
        key=landing_asset_key(tool),
        group_name="landing",
        kinds={"folder", tool},
        owners=[DATA_PLATFORM],
        tags={"layer": "landing", "source": tool, "pii": ""},
        description=(
            f"`<CDP_LANDING_DIR>/{tool}/` (the folder name in any case or spacing; sub-folders "
            f"are read too): the {tool} exports the raw tables are loaded from. Expected files:"
            f"\n{expected}"
        ),
    )


landing_folders = [_landing_folder(tool) for tool in sorted({s.tool for s in SOURCES.values()})]


def _build_raw_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(spec.table),
        group_name="raw",
        kinds={"duckdb", spec.tool},
        deps=[landing_asset_key(spec.tool)],
        owners=[DATA_PLATFORM],
        tags={"layer": "raw", "source": spec.tool, **_pii_tag(spec)},
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
    owners=[DATA_PLATFORM],
    tags={"layer": "raw", "source": "libphonenumber", "pii": ""},
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
