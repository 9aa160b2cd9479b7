"""`raw.quarantined_rows`: records that could not be loaded, kept with the reason, never dropped.

A record lands here when DuckDB's CSV parser cannot split it into the header's fields, when a
JSON Lines line is not a JSON object, or when its natural key is empty (docs/ingestion.md).
Each row names the raw table and file it was meant for, its line (where the format has lines),
its record number, the text as it stood in the file and the reason in plain words.
"""

from __future__ import annotations

import re
from datetime import datetime

import duckdb

from cdp.core.warehouse import create_table_if_missing
from ingestion.readers import REJECTS_SCAN, REJECTS_TABLE

QUARANTINE_TABLE = "raw.quarantined_rows"

_PARSER_REASONS = {
    "MISSING COLUMNS": "too few fields",
    "TOO MANY COLUMNS": "too many fields",
    "UNQUOTED VALUE": "a stray double quote (a quoted value with text after its closing quote)",
    "LINE SIZE OVER MAXIMUM": "line too long",
    "INVALID ENCODING": "invalid character encoding",
    "INVALID STATE": "unreadable record",
}


def ensure_table(conn: duckdb.DuckDBPyConnection) -> None:
    create_table_if_missing(
        conn,
        QUARANTINE_TABLE,
        """
            source_table varchar not null,
            source_file varchar not null,
            file_sha256 varchar not null,
            line_number bigint,
            record_number bigint,
            raw_text varchar,
            reason varchar not null,
            quarantined_at timestamp not null
        """,
    )


def clear_files(conn: duckdb.DuckDBPyConnection, table: str, source_files: list[str]) -> None:
    """A re-delivered file replaces its earlier quarantined records, as it does its rows."""
    conn.execute(
        f"delete from {QUARANTINE_TABLE} where source_table = ? and source_file in "
        f"(select unnest(?::varchar[]))",
        [table, source_files],
    )


def reset_parser_rejects(conn: duckdb.DuckDBPyConnection) -> None:
    """DuckDB appends to its rejects tables on every scan: start each file with empty ones."""
    conn.execute(f"drop table if exists {REJECTS_TABLE}")
    conn.execute(f"drop table if exists {REJECTS_SCAN}")


def _plain_reason(error_type: str, message: str, is_json_lines: bool) -> str:
    if is_json_lines and error_type == "TOO MANY COLUMNS":
        return "invalid JSON (a raw control character in the line)"
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message or "")
    if counts:
        return (
            f"wrong number of fields: the header has {counts.group(1)}, "
            f"this record has {counts.group(2)}"
        )
    plain = _PARSER_REASONS.get(error_type, error_type.lower())
    return f"{plain} ({message})" if message else plain


def parser_rejects(
    conn: duckdb.DuckDBPyConnection, is_json_lines: bool
) -> list[tuple[int, str, str]]:
    """(line, raw text, reason) of each record DuckDB's CSV parser rejected in the last scan."""
    exists = conn.execute(
        "select count(*) from duckdb_tables() where table_name = ? and temporary",
        [REJECTS_TABLE],
    ).fetchall()[0][0]
    if not exists:
        return []
    rows = conn.execute(
        f"select line, any_value(csv_line), list(distinct error_type), "
        f"first(error_message order by column_idx) from {REJECTS_TABLE} "
        "group by line order by line"
    ).fetchall()
    return [
        (int(line), text, "; ".join(_plain_reason(t, message, is_json_lines) for t in types))
        for line, text, types, message in rows
    ]


def add_parser_rejects(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    source_file: str,
    sha: str,
    at: datetime,
    rejects: list[tuple[int, str, str]],
    header_lines: int,
) -> None:
    conn.executemany(
        f"insert into {QUARANTINE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [table, source_file, sha, line, line - header_lines, text, reason, at]
            for line, text, reason in rejects
        ],
    )


def move_marked_rows(
    conn: duckdb.DuckDBPyConnection, table: str, source_files: list[str], line_offset: int | None
) -> dict[str, int]:
    """Moves the rows the loader marked as unloadable from `raw.<table>` into quarantine;
    returns how many per file.

    The loader inserts files in one pass and marks the records it cannot load with a negative
    `_source_row` and a JSON `_extra` holding the reason and raw text; DuckDB's zone maps make
    this look-up nearly free when nothing is marked. Runs inside the files' transaction, so no
    reader ever sees a marked row.
    """
    line = "null" if line_offset is None else f"-_source_row + {line_offset}"
    in_files = "_source_file in (select unnest(?::varchar[]))"
    moved = conn.execute(
        f"insert into {QUARANTINE_TABLE} select ?, _source_file, _file_sha256, {line}, "
        "-_source_row, json_extract_string(_extra, '$.raw'), "
        "json_extract_string(_extra, '$.reason'), _loaded_at "
        f"from raw.{table} where _source_row < 0 and {in_files} "
        "order by _source_file, _source_row desc",
        [table, source_files],
    ).fetchall()[0][0]
    if not moved:
        return {}
    counts = conn.execute(
        f"select _source_file, count(*) from raw.{table} where _source_row < 0 and {in_files} "
        "group by _source_file",
        [source_files],
    ).fetchall()
    conn.execute(f"delete from raw.{table} where _source_row < 0 and {in_files}", [source_files])
    return {source_file: int(n) for source_file, n in counts}


def renumber_after_rejects(
    conn: duckdb.DuckDBPyConnection, table: str, source_file: str, rejected_records: list[int]
) -> None:
    """Gives loaded rows their true record numbers when the parser skipped records before them.

    Rows arrive numbered 1..n among the records the parser accepted; rejected record k shifts
    every later one by one. With the rejected records sorted, the i-th leaves `r_i - i`
    accepted records before it, so accepted row n is record n + #{i : r_i - i < n}.
    """
    gaps = sorted(r - i for i, r in enumerate(sorted(rejected_records), start=1))
    conn.execute(
        f"update raw.{table} set _source_row = sign(_source_row) * (abs(_source_row) + "
        "(select count(*) from unnest(?::bigint[]) as g(gap) where gap < abs(_source_row))) "
        "where _source_file = ?",
        [gaps, source_file],
    )
