"""Loads the exports of the email, ecommerce and point-of-sale tools into DuckDB's `raw` schema.

Plain Python with no Dagster import: the Dagster assets in `orchestration/` are thin wrappers.
"""
