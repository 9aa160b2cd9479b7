"""The one Dagster `Definitions` of the CDP: raw files → dbt models → export files.

This is the composition root: the only module of the Dagster wiring that looks at the
environment, to build the resources the assets, checks and sensor are given.
"""

from __future__ import annotations

import dagster as dg

from cdp.core.settings import Settings
from orchestration.dbt_project import DBT_EXECUTABLE, dbt_project
from orchestration.defs.automation import cdp_job, daily_schedule, landing_folder_sensor
from orchestration.defs.exports import build_export_assets, build_export_checks
from orchestration.defs.ingestion import landing_folders, phone_numbers, raw_assets
from orchestration.defs.ingestion_checks import raw_table_checks
from orchestration.defs.matching import record_pairs
from orchestration.defs.predictive import cdp_dbt_prediction_models, customer_predictions
from orchestration.defs.report import build_report_asset
from orchestration.defs.transform import cdp_dbt_matching_inputs, cdp_dbt_models
from orchestration.resources import (
    SETTINGS_VARIABLES,
    CdpDbtCliResource,
    CdpSettingsResource,
    DbtRunResource,
    WarehouseResource,
)

_INT_SETTINGS = {"webhook_batch_size"}


def settings_resource() -> CdpSettingsResource:
    """Each `CDP_*` variable that is set becomes a `dg.EnvVar` (read when a run starts, shown as
    its source in the UI). `dg.EnvVar` has no default, and an unset one fails the run, so a
    variable that is not set is left out: its field keeps the `Settings` default, and the app
    runs with no `CDP_*` variable at all, as the CLI does."""
    return CdpSettingsResource(
        **{
            field: dg.EnvVar.int(variable) if field in _INT_SETTINGS else dg.EnvVar(variable)
            for field, variable in SETTINGS_VARIABLES.items()
            if dg.EnvVar(variable).get_value() is not None
        }
    )


def warehouse_resource() -> WarehouseResource:
    """The warehouse file: CDP_WAREHOUSE when set, else the `Settings` default."""
    variable = dg.EnvVar(SETTINGS_VARIABLES["warehouse"])
    if variable.get_value() is not None:
        return WarehouseResource(path=variable)
    return WarehouseResource(path=str(Settings.from_env({}).warehouse))


export_assets = build_export_assets(dbt_project.manifest_path)

defs = dg.Definitions(
    assets=[
        *landing_folders,
        *raw_assets,
        phone_numbers,
        cdp_dbt_matching_inputs,
        record_pairs,
        cdp_dbt_models,
        customer_predictions,
        cdp_dbt_prediction_models,
        *export_assets,
        build_report_asset(export_assets),
    ],
    asset_checks=[raw_table_checks, *build_export_checks(dbt_project.manifest_path)],
    jobs=[cdp_job],
    schedules=[daily_schedule],
    sensors=[landing_folder_sensor],
    resources={
        "cdp_settings": settings_resource(),
        "warehouse": warehouse_resource(),
        # Set per run: `cdp run --as-of … --full-refresh`, or the launchpad's resources config.
        "dbt_run": DbtRunResource(),
        # This virtualenv's dbt, through `cdp-dbt`: it never outlives the run (dbt_child.py).
        "dbt": CdpDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
)
