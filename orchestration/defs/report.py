"""The report asset: the offline HTML report (cdp/report/), refreshed after the exports."""

import dagster as dg

from cdp.report.build import default_report_path, write_report
from orchestration.owners import DATA_PLATFORM
from orchestration.resources import CdpSettingsResource, WarehouseResource

REPORT_KEY = dg.AssetKey(["report", "cdp_report"])


def build_report_asset(upstream: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    """The report, after every asset of `upstream` (the exports): it draws their run log."""

    @dg.asset(
        key=REPORT_KEY,
        group_name="reporting",
        kinds={"html", "plotly"},
        owners=[DATA_PLATFORM],
        tags={"layer": "report"},
        deps=[key for assets in upstream for key in assets.keys],
        description=(
            "One self-contained HTML report for marketers (<CDP_EXPORTS_DIR>/report/"
            "cdp_report.html, opens offline): people, identity, segments, consent, "
            "predictions, data quality and exports (docs/report.md)."
        ),
    )
    def cdp_report(
        warehouse: WarehouseResource, cdp_settings: CdpSettingsResource
    ) -> dg.MaterializeResult:
        """Reads the warehouse (no writes) and replaces the report file atomically."""
        with warehouse.connection() as conn:
            result = write_report(
                conn, default_report_path(cdp_settings.settings()), str(warehouse.file)
            )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "charts": result.charts,
                "charts_without_data": dg.MetadataValue.json(list(result.empty)),
            }
        )

    return cdp_report
