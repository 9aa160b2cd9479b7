"""The column types the marts' YAML declares (`data_type`, shown in Dagster as the column
schema) are the types a built warehouse holds."""

from __future__ import annotations

import json
import re

from orchestration.dbt_project import dbt_project
from tests.conftest import query
from tests.e2e.conftest import DemoRuns

# DuckDB widens a sum of integers to HUGEINT (128 bits); the same SQL gives a bigint on Spark
# and most warehouses, which is what the YAML promises a reader.
_DUCKDB_TO_PORTABLE = {"hugeint": "bigint"}


def _portable(duckdb_type: str) -> str:
    name = duckdb_type.lower().replace(" ", "")
    return _DUCKDB_TO_PORTABLE.get(name, name)


def _declared(type_name: str | None) -> str | None:
    return re.sub(r"\s+", "", type_name.lower()) if type_name else None


def test_every_mart_column_declares_the_type_the_warehouse_holds(demo_runs: DemoRuns) -> None:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    marts = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/marts/")
    }
    catalog: dict[str, dict[str, str]] = {}
    for table, column, data_type in query(
        demo_runs.env,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts'",
    ):
        catalog.setdefault(table, {})[column] = data_type
    assert set(marts) <= set(catalog), f"marts not built: {sorted(set(marts) - set(catalog))}"

    wrong = [
        f"{model}.{column}: YAML {_declared(node['columns'].get(column, {}).get('data_type'))!r}, "
        f"warehouse {data_type} ({_portable(data_type)})"
        for model, node in sorted(marts.items())
        for column, data_type in catalog[model].items()
        if _declared(node["columns"].get(column, {}).get("data_type")) != _portable(data_type)
    ]
    assert not wrong, "\n".join(wrong)
