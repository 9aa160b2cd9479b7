"""SQL that reads one landing file with DuckDB's own readers into the shape of its raw table.

Every query returns the spec's raw columns as text, then `_extra` (unknown CSV columns as a
JSON object, kept rather than dropped) and `_source_row` (1-based record number in the file).
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import duckdb

from ingestion.errors import CdpError
from ingestion.naming import snake_case
from ingestion.sources import CsvFormat, JsonFormat, SourceSpec

# A Shopify page or Mailchimp report is one JSON document; allow big ones (default is 16 MB).
_MAX_JSON_DOCUMENT_BYTES = 1 << 30


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def csv_headers(conn: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    relation = conn.sql(
        f"select * from read_csv({_quote_literal(str(path))}, header = true, "
        "all_varchar = true) limit 0"
    )
    return list(relation.columns)


def _csv_query(conn: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path) -> str:
    fmt = spec.format
    assert isinstance(fmt, CsvFormat)
    headers = csv_headers(conn, path)
    by_snake = {snake_case(h): h for h in headers}
    missing = [h for h in fmt.required if snake_case(h) not in by_snake]
    if missing:
        raise CdpError(
            f"{path.name}: missing required column(s) {', '.join(repr(m) for m in missing)} "
            f"for {spec.table} (line 1 is the header: {', '.join(headers) or 'empty'})"
        )
    known = {snake_case(h) for h in fmt.headers}
    selects = []
    for header in fmt.headers:
        column = snake_case(header)
        source = by_snake.get(column)
        value = _quote_ident(source) if source is not None else "null"
        # Empty cells mean "no value" in every tool we read; keep them as NULL, not ''.
        selects.append(f"nullif({value}, '') as {_quote_ident(column)}")
    for column, by_pattern in fmt.derived.items():
        value = next(
            (v for pattern, v in by_pattern.items() if fnmatch(path.stem.lower(), pattern)), None
        )
        selects.append(f"{_quote_literal(value) if value else 'null'} as {_quote_ident(column)}")
    extras = [h for h in headers if snake_case(h) not in known]
    if extras:
        pairs = ", ".join(f"{_quote_literal(h)}, {_quote_ident(h)}" for h in extras)
        selects.append(f"cast(json_object({pairs}) as varchar) as _extra")
    else:
        selects.append("cast(null as varchar) as _extra")
    return (
        f"select {', '.join(selects)}, row_number() over () as _source_row "
        f"from read_csv({_quote_literal(str(path))}, header = true, all_varchar = true, "
        "parallel = false)"
    )


def _json_value(record: str, path: str | tuple[str, ...]) -> str:
    if isinstance(path, tuple):
        return f"coalesce({', '.join(_json_value(record, p) for p in path)})"
    if path == "@refund_amount":
        # A refund's money is in its transactions: add the successful `refund` ones.
        return (
            "(select cast(sum(cast(json_extract_string(t, '$.amount') as decimal(18, 2))) "
            "as varchar) from (select unnest(json_extract(c, '$.transactions[*]')) as t) "
            "where json_extract_string(t, '$.kind') = 'refund' "
            "and coalesce(json_extract_string(t, '$.status'), 'success') = 'success')"
        )
    return f"nullif(json_extract_string({record}, {_quote_literal(path)}), '')"


def _json_query(spec: SourceSpec, path: Path) -> str:
    fmt = spec.format
    assert isinstance(fmt, JsonFormat)
    file = _quote_literal(str(path))
    if fmt.root_key is None:
        records = (
            "select json as r, row_number() over () as _record_no "
            f"from read_json_objects({file}, format = 'newline_delimited')"
        )
    else:
        array = f"json_extract(json, {_quote_literal('$.' + fmt.root_key + '[*]')})"
        records = (
            f"select unnest({array}) as r, generate_subscripts({array}, 1) as _record_no "
            f"from read_json_objects({file}, format = 'auto', "
            f"maximum_object_size = {_MAX_JSON_DOCUMENT_BYTES})"
        )
    parent_selects = [f"{_json_value('r', p)} as {_quote_ident(c)}" for c, p in fmt.columns.items()]
    if fmt.child_path is None:
        return (
            f"with records as ({records}) select {', '.join(parent_selects)}, "
            "cast(null as varchar) as _extra, _record_no as _source_row from records"
        )
    children_array = f"json_extract(r, {_quote_literal(fmt.child_path + '[*]')})"
    child_selects = [
        f"{_json_value('c', p)} as {_quote_ident(col)}" for col, p in fmt.child_columns.items()
    ]
    return (
        f"with records as ({records}), "
        f"children as (select r, _record_no, unnest({children_array}) as c, "
        f"generate_subscripts({children_array}, 1) as _child_no from records) "
        f"select {', '.join(parent_selects + child_selects)}, cast(null as varchar) as _extra, "
        "row_number() over (order by _record_no, _child_no) as _source_row from children"
    )


def read_query(conn: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path) -> str:
    """The SELECT that turns one file into rows of `raw.<spec.table>` (without lineage)."""
    if isinstance(spec.format, CsvFormat):
        return _csv_query(conn, spec, path)
    return _json_query(spec, path)
