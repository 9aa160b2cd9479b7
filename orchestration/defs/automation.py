"""The job that runs everything, its daily schedule, and the sensor that reacts to new files."""

import hashlib

import dagster as dg

from cdp.core.settings import Settings
from ingestion.sources import SOURCES
from orchestration.resources import CdpSettingsResource

# DuckDB has one writer at a time: the steps of a run execute one after another in one process,
# and runs never overlap (the run lock; see orchestration/resources.py and the README).
cdp_job = dg.define_asset_job(
    name="cdp_daily",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    tags={"cdp/warehouse": "duckdb"},
    description="Ingest new exports, build identity, profiles, CRM marts and segments, export.",
)

daily_schedule = dg.ScheduleDefinition(
    name="cdp_daily_schedule",
    job=cdp_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


def landing_fingerprint(settings: Settings) -> tuple[str, int]:
    """A digest of every recognised landing file's path, size and mtime, and the file count."""
    entries = sorted(
        f"{path.relative_to(settings.landing_dir)}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
        for spec in SOURCES.values()
        for path in spec.files(settings.landing_dir)
    )
    return hashlib.sha256("\n".join(sorted(set(entries))).encode()).hexdigest(), len(set(entries))


@dg.sensor(
    job=cdp_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts a run when files are added to or changed in the landing folder.",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext, cdp_settings: CdpSettingsResource):
    digest, count = landing_fingerprint(cdp_settings.settings())
    if count == 0 or digest == context.cursor:
        return dg.SkipReason("no new or changed files in the landing folder")
    context.update_cursor(digest)
    return dg.RunRequest(run_key=digest, tags={"cdp/trigger": "landing_folder"})
