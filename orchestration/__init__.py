"""Dagster wiring: assets, checks, jobs, schedules and sensors around ingestion, dbt and exports."""
