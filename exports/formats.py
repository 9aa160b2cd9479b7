"""Rendering rows to the bytes of a destination's file: CSV, JSON Lines or Parquet.

Rendering to bytes first (instead of streaming to disk) lets the writer compare the result with
what is already there, so an unchanged export writes nothing, and hash exactly what is written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from exports.csv_safety import E164, neutralise
from exports.destinations.base import Destination
from exports.errors import ExportError


def render(dest: Destination, rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The file content for `rows` (each a {header: value} mapping) in `dest`'s format."""
    if dest.file_format == "csv":
        return _csv(dest, rows)
    if dest.file_format == "jsonl":
        return _jsonl(dest, rows)
    if dest.file_format == "parquet":
        return _parquet(dest, rows)
    raise ExportError(f"Destination {dest.name!r} has unknown file format {dest.file_format!r}.")


def safe_cells(dest: Destination, cells: Mapping[str, Any]) -> list[str]:
    """Orders CSV cells by the destination's headers and neutralises formula-like text.

    Phone columns are exempt from the quote (it would break them) but must be strict E.164 or
    empty; anything else means a formatter bug, which must not reach a file.
    """
    if set(cells) != set(dest.headers):
        raise ExportError(
            f"Destination {dest.name!r} produced columns {sorted(cells)}, "
            f"expected {list(dest.headers)}."
        )
    ordered: list[str] = []
    for header in dest.headers:
        value = cells[header]
        if not isinstance(value, str):
            raise ExportError(
                f"Destination {dest.name!r} wrote a {type(value).__name__} in CSV column "
                f"{header!r}; CSV cells must be text."
            )
        if header in dest.phone_columns:
            if value and not E164.match(value):
                raise ExportError(
                    f"Destination {dest.name!r} wrote a non-E.164 value in phone column {header!r}."
                )
            ordered.append(value)
        else:
            ordered.append(neutralise(value))
    return ordered


def _csv(dest: Destination, rows: Sequence[Mapping[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(dest.headers)
    for row in rows:
        writer.writerow(safe_cells(dest, {h: row.get(h, "") for h in dest.headers}))
    return out.getvalue().encode("utf-8")


def _jsonl(dest: Destination, rows: Sequence[Mapping[str, Any]]) -> bytes:
    lines = [
        json.dumps({h: row.get(h) for h in dest.headers}, ensure_ascii=False) + "\n" for row in rows
    ]
    return "".join(lines).encode("utf-8")


def _parquet(dest: Destination, rows: Sequence[Mapping[str, Any]]) -> bytes:
    schema = pa.schema(
        [
            (h, pa.bool_() if dest.column_types.get(h) == "bool" else pa.string())
            for h in dest.headers
        ]
    )
    table = pa.Table.from_pylist([{h: row.get(h) for h in dest.headers} for row in rows], schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="snappy")
    return buffer.getvalue()
