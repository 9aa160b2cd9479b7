"""A Parquet copy of the raw tables: how raw data reaches engines that cannot read DuckDB (Spark).

Ingestion stays one code path: files are read, validated and loaded into DuckDB's `raw` schema
exactly as before, and this module then mirrors each raw table into an open format that any
engine reads. The DuckDB target keeps reading `raw.*`; the Spark target reads the mirror (dbt
registers a Spark table over each folder at the start of a run, see
dbt_project/macros/spark/register_raw_tables.sql).

Layout, one folder per table dbt reads as a source:

    <parquet_dir>/raw/<table>/schema.parquet         zero rows: the table's columns and types
    <parquet_dir>/raw/<table>/<file key>.parquet     the rows one landing file loaded
    <parquet_dir>/raw/phone_numbers/data.parquet     tables without lineage: rewritten whole
    <parquet_dir>/tables.txt                         the index: one `schema.table` per line

A landing file's rows become one Parquet file named after its path and sha256, so the mirror
follows the loader's rules exactly: a new file adds one Parquet file, an unchanged file costs
nothing, and a re-exported file (same path, new content) replaces its old Parquet file. A sync
compares what DuckDB holds with what is on disk, so it also repairs a mirror that missed a run.
Every file is written under a temporary name and renamed into place.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA_FILE = "schema.parquet"
WHOLE_TABLE_FILE = "data.parquet"
INDEX_FILE = "tables.txt"


@dataclass(frozen=True)
class MirrorReport:
    """What one table's sync did."""

    table: str
    files_written: int
    files_removed: int
    files_total: int
    rows: int


def table_folder(parquet_dir: Path, qualified_table: str) -> Path:
    schema, table = qualified_table.split(".")
    return parquet_dir / schema / table


def _file_key(source_file: str, sha256: str) -> str:
    return hashlib.sha256(f"{source_file}\n{sha256}".encode()).hexdigest()[:32]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _copy(conn: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """Writes `query` to `target` as Parquet, atomically (temporary file, then rename)."""
    temporary = target.with_name(f".{target.name}.tmp")
    conn.execute(f"copy ({query}) to {_literal(str(temporary))} (format parquet, compression zstd)")
    os.replace(temporary, target)


def _columns(conn: duckdb.DuckDBPyConnection, qualified_table: str) -> list[str]:
    schema, table = qualified_table.split(".")
    return [
        row[0]
        for row in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def sync_table(
    conn: duckdb.DuckDBPyConnection, qualified_table: str, parquet_dir: Path
) -> MirrorReport:
    """Brings `<parquet_dir>/<schema>/<table>/` in line with the DuckDB table."""
    folder = table_folder(parquet_dir, qualified_table)
    folder.mkdir(parents=True, exist_ok=True)
    columns = _columns(conn, qualified_table)
    _copy(conn, f"select * from {qualified_table} limit 0", folder / SCHEMA_FILE)
    rows = conn.execute(f"select count(*) from {qualified_table}").fetchone()[0]

    if not {"_source_file", "_file_sha256"} <= set(columns):
        _copy(conn, f"select * from {qualified_table}", folder / WHOLE_TABLE_FILE)
        return MirrorReport(qualified_table, 1, 0, 1, rows)

    loaded = conn.execute(
        f"select distinct _source_file, _file_sha256 from {qualified_table}"
    ).fetchall()
    wanted = {_file_key(path, sha): (path, sha) for path, sha in loaded}
    present = {
        p.stem for p in folder.glob("*.parquet") if p.name not in (SCHEMA_FILE, WHOLE_TABLE_FILE)
    }
    written = 0
    for key in sorted(wanted.keys() - present):
        path, sha = wanted[key]
        _copy(
            conn,
            f"select * from {qualified_table} "
            f"where _source_file = {_literal(path)} and _file_sha256 = {_literal(sha)}",
            folder / f"{key}.parquet",
        )
        written += 1
    stale = present - wanted.keys()
    for key in stale:
        (folder / f"{key}.parquet").unlink()
    return MirrorReport(qualified_table, written, len(stale), len(wanted), rows)


def sync_all(
    conn: duckdb.DuckDBPyConnection, parquet_dir: Path, tables: list[str]
) -> list[MirrorReport]:
    """Mirrors each of `tables` (`schema.table`) that exists in the warehouse, then rewrites the
    index: `<parquet_dir>/tables.txt`, one `schema.table` per mirrored table, which tells the
    Spark run which tables it can register (a source written later, such as a Python asset's
    output, is simply not listed yet)."""
    existing = {
        f"{schema}.{table}"
        for schema, table in conn.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    reports = [sync_table(conn, table, parquet_dir) for table in tables if table in existing]
    mirrored = sorted(
        f"{path.parent.parent.name}.{path.parent.name}"
        for path in parquet_dir.glob(f"*/*/{SCHEMA_FILE}")
    )
    index = parquet_dir / INDEX_FILE
    temporary = index.with_name(f".{INDEX_FILE}.tmp")
    temporary.write_text("".join(f"{table}\n" for table in mirrored))
    os.replace(temporary, index)
    return reports


def attach_spark_tables(
    conn: duckdb.DuckDBPyConnection, tables_dir: Path, relations: list[tuple[str, str]]
) -> list[str]:
    """DuckDB views over the tables a local Spark session built (`<tables_dir>/<schema>.db/`).

    The way back: after a Spark build, exports, the run summary and `cdp profile` read
    `marts.*` in the DuckDB file as they do after a DuckDB build, now as views over Spark's
    Parquet files (partitioned tables included). Spark writes UTC instants; they are shown as
    DuckDB's naive UTC timestamps, the convention of every model. Relations without files yet
    are left out.
    """
    existing = {
        f"{schema}.{name}": kind
        for schema, name, kind in conn.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
    }
    attached = []
    for schema, table in relations:
        folder = tables_dir / f"{schema}.db" / table
        if not any(folder.rglob("*.parquet")):
            continue
        source = (
            f"read_parquet({_literal(str(folder / '**' / '*.parquet'))}, hive_partitioning = true)"
        )
        columns = [
            f'timezone(\'UTC\', "{name}") as "{name}"'
            if kind == "TIMESTAMP WITH TIME ZONE"
            else f'"{name}"'
            for name, kind, *_ in conn.execute(f"describe select * from {source}").fetchall()
        ]
        conn.execute(f"create schema if not exists {schema}")
        if existing.get(f"{schema}.{table}") == "BASE TABLE":
            conn.execute(f'drop table {schema}."{table}"')
        conn.execute(
            f'create or replace view {schema}."{table}" as select {", ".join(columns)} '
            f"from {source}"
        )
        attached.append(f"{schema}.{table}")
    return attached
