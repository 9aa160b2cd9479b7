"""The one Dagster `Definitions` of the CDP: raw files → dbt models → export files."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from cdp.core.settings import Settings
from orchestration.dbt_project import DBT_EXECUTABLE, dbt_project
from orchestration.defs.automation import cdp_job, daily_schedule, landing_folder_sensor
from orchestration.defs.exports import build_export_assets, build_export_checks
from orchestration.defs.ingestion import phone_numbers, raw_assets
from orchestration.defs.ingestion_checks import raw_table_checks
from orchestration.defs.predictive import cdp_dbt_prediction_models, customer_predictions
from orchestration.defs.transform import cdp_dbt_models
from orchestration.resources import warehouse_from_settings

defs = dg.Definitions(
    assets=[
        *raw_assets,
        phone_numbers,
        cdp_dbt_models,
        customer_predictions,
        cdp_dbt_prediction_models,
        *build_export_assets(dbt_project.manifest_path),
    ],
    asset_checks=[raw_table_checks, *build_export_checks(dbt_project.manifest_path)],
    jobs=[cdp_job],
    schedules=[daily_schedule],
    sensors=[landing_folder_sensor],
    resources={
        "warehouse": warehouse_from_settings(Settings.from_env()),
        # This virtualenv's dbt, through `cdp-dbt`: it never outlives the run (dbt_child.py).
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
)
