"""Reading the person-like records that Splink compares out of the warehouse."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from cdp.matching.comparisons import RECORD_COLUMNS

CANDIDATE_RELATION = "intermediate.int_identity_candidate_records"


def read_records(conn: duckdb.DuckDBPyConnection, relation: str = CANDIDATE_RELATION) -> pa.Table:
    """The candidate records as an Arrow table (Splink works on its own scratch connection, so
    its working tables never land in the warehouse)."""
    columns = ", ".join(RECORD_COLUMNS)
    return conn.sql(f"select {columns} from {relation} order by record_key").to_arrow_table()
