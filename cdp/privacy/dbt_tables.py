"""Scrubbing the tables dbt built (marts, intermediate, snapshots): every row of the person,
found by the identity layer's own columns (person_id, the identifier pair, node_key, a kept raw
value) and by the columns the models declare as identifiers (`meta.identifier_type`). Views
read raw, which is already clean."""

from __future__ import annotations

import duckdb

from cdp.privacy.identifier_columns import IdentifierColumns
from cdp.privacy.identifiers import identifier_key, normalised_sql
from cdp.privacy.raw_tables import phone_keys
from cdp.privacy.report import ForgetReport
from cdp.privacy.sql import delete_where, marks

# Schemas written by us, not by dbt: scrubbed explicitly (raw, meta) or holding no people.
NON_DBT_SCHEMAS = ("raw", "meta", "reference", "information_schema", "pg_catalog")


def scrub_dbt_tables(
    conn: duckdb.DuckDBPyConnection,
    tables: dict[str, dict[str, set[str]]],
    columns: IdentifierColumns,
    report: ForgetReport,
    by_type: dict[str, list[str]],
    raw_phones: list[str],
) -> None:
    """Deletes the person's rows from every dbt-built table."""
    values_by_type = {**by_type, "phone": by_type.get("phone", []) + phone_keys(raw_phones)}
    for schema, schema_tables in tables.items():
        if schema in NON_DBT_SCHEMAS:
            continue
        for table, table_columns in schema_tables.items():
            clauses, params = _identity_clauses(table_columns, report, raw_phones)
            for kind, values in values_by_type.items():
                for column in columns.built_columns(schema, table, kind):
                    if column in table_columns and values:
                        clauses.append(f"{normalised_sql(kind, column)} in ({marks(values)})")
                        params += values
            if clauses:
                report.deleted[f"{schema}.{table}"] += delete_where(
                    conn, f'"{schema}"."{table}"', " or ".join(clauses), params
                )


def _identity_clauses(
    columns: set[str], report: ForgetReport, raw_phones: list[str]
) -> tuple[list[str], list[str]]:
    """Conditions on the columns the identity layer gives its tables."""
    clauses: list[str] = []
    params: list[str] = []
    pairs = report.identifiers
    if "person_id" in columns and report.person_ids:
        clauses.append(f"person_id in ({marks(report.person_ids)})")
        params += report.person_ids
    if not pairs:
        return clauses, params
    if {"identifier_type", "identifier_value"} <= columns:
        clauses.append(
            "(identifier_type, identifier_value) in (" + ", ".join("(?, ?)" for _ in pairs) + ")"
        )
        params += [part for pair in pairs for part in pair]
    if "node_key" in columns:
        clauses.append(f"node_key in ({marks(pairs)})")
        params += [identifier_key(kind, value) for kind, value in pairs]
    if {"identifier_type", "raw_value"} <= columns:
        # Observations kept with their raw text (those that were not valid).
        raw_values = [value for _, value in pairs] + raw_phones
        clauses.append(f"lower(trim(raw_value)) in ({marks(raw_values)})")
        params += [value.lower() for value in raw_values]
        for kind in ("email", "phone"):
            values = [value for pair_kind, value in pairs if pair_kind == kind]
            if kind == "phone":
                values += phone_keys(raw_phones)
            if values:
                clauses.append(f"{normalised_sql(kind, 'raw_value')} in ({marks(values)})")
                params += values
    return clauses, params


def scrub_scored_pairs(
    conn: duckdb.DuckDBPyConnection, tables: dict[str, dict[str, set[str]]], report: ForgetReport
) -> None:
    """The probabilistic matcher's pairs (identity_matching.record_pairs, written by Python)
    name records by key only: once the person's candidate records are scrubbed, every pair
    naming a record that is gone goes too."""
    if "record_pairs" not in tables.get("identity_matching", {}):
        return
    if "int_identity_candidate_records" not in tables.get("intermediate", {}):
        return
    kept = "select record_key from intermediate.int_identity_candidate_records"
    report.deleted["identity_matching.record_pairs"] += delete_where(
        conn,
        "identity_matching.record_pairs",
        f"record_key_l not in ({kept}) or record_key_r not in ({kept})",
        [],
    )
