"""The hand-off around each dbt step when the target is not DuckDB (Spark): the tables dbt reads
as sources go out as Parquet before the step, the tables it built come back as DuckDB views after.

The asset graph is the same whichever engine dbt runs on (CDP_DBT_TARGET): ingestion loads
DuckDB's `raw` schema, the dbt step builds, the export assets read `marts.*` from the DuckDB
file. Doing the hand-off inside the dbt step, for every source in the manifest, also covers
sources that Python assets write between two dbt steps (the predictions). On DuckDB both calls
return at once. See docs/scaling-out.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from cdp.core.settings import Settings
from cdp.parquet_mirror import attach_spark_tables, sync_all
from orchestration.resources import WarehouseResource

# Targets whose models read the DuckDB file itself; any other target reads the Parquet mirror.
TARGETS_READING_DUCKDB = frozenset({"duckdb"})


def _manifest(manifest_path: Path) -> dict:
    return json.loads(manifest_path.read_text())


def source_tables(manifest_path: Path) -> list[str]:
    """`schema.table` of every source the dbt project reads."""
    return sorted(
        {
            f"{source['schema']}.{source['identifier']}"
            for source in _manifest(manifest_path).get("sources", {}).values()
        }
    )


def spark_relations(manifest_path: Path, tables_dir: Path) -> list[tuple[str, str]]:
    """(schema, table) of every model and seed that dbt stores as a table, plus the other tables
    the project writes in the same schemas (the segment membership history); dbt's and the
    materializations' work tables (`…__dbt_tmp`, `…__cc_…`, `…__next_…`) are left out."""
    manifest = _manifest(manifest_path)
    project = manifest.get("metadata", {}).get("project_name")
    relations = {
        (node["schema"], node.get("alias") or node["name"])
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") in ("model", "seed")
        and node.get("package_name") == project
        and node.get("config", {}).get("materialized") not in ("view", "ephemeral")
    }
    for schema in {schema for schema, _ in relations}:
        folder = tables_dir / f"{schema}.db"
        if folder.is_dir():
            relations |= {
                (schema, table.name)
                for table in folder.iterdir()
                if table.is_dir() and "__" not in table.name
            }
    return sorted(relations)


def sync_parquet_mirror(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    settings: Settings,
    manifest_path: Path,
) -> None:
    """Before a dbt step on Spark: every source table in the DuckDB file is mirrored to Parquet
    (incrementally: one file per loaded landing file), where the Spark run registers it."""
    if settings.dbt_target in TARGETS_READING_DUCKDB:
        return
    with warehouse.connection() as conn:
        reports = sync_all(conn, settings.parquet_dir, source_tables(manifest_path))
    written = sum(r.files_written for r in reports)
    removed = sum(r.files_removed for r in reports)
    context.log.info(
        f"Parquet mirror in {settings.parquet_dir}: {len(reports)} table(s), "
        f"{written} file(s) written, {removed} removed"
    )


def publish_spark_tables(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    settings: Settings,
    manifest_path: Path,
) -> None:
    """After a dbt step on the local Spark session: the tables it wrote become DuckDB views, so
    the export assets (and Python assets between dbt steps) read the Spark results."""
    if settings.dbt_target in TARGETS_READING_DUCKDB:
        return
    with warehouse.connection() as conn:
        tables_dir = settings.spark_dir / "tables"
        attached = attach_spark_tables(conn, tables_dir, spark_relations(manifest_path, tables_dir))
    context.log.info(f"{len(attached)} Spark table(s) readable as views in {settings.warehouse}")
