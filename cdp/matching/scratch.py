"""A Splink linker on a scratch in-memory DuckDB, so Splink's working tables (`__splink__…`)
never land in the warehouse and a failed run leaves nothing behind."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa


@contextmanager
def scratch_linker(
    records: pa.Table, settings: Any, threads: int | None = None
) -> Iterator[tuple[Any, duckdb.DuckDBPyConnection]]:
    """(linker, its scratch connection), closed on exit."""
    from splink import DuckDBAPI, Linker

    conn = duckdb.connect()
    if threads:
        conn.execute(f"set threads = {int(threads)}")
    try:
        conn.register("candidate_records_arrow", records)
        conn.execute("create table candidate_records as select * from candidate_records_arrow")
        conn.unregister("candidate_records_arrow")
        db_api = DuckDBAPI(connection=conn)
        frame = db_api.register("candidate_records")
        yield Linker(frame, settings, log_level=logging.ERROR), conn
    finally:
        conn.close()
