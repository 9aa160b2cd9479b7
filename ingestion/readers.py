"""SQL that reads one landing file with DuckDB's own readers into the shape of its raw table.

Every query returns the spec's raw columns as text, then `_extra` (unknown CSV columns as a
JSON object, kept rather than dropped), `_source_row` (1-based record number in the file) and
three columns the loader uses to quarantine what cannot be loaded: `_reject` (why, or null),
`_raw_text` (the record as it stood in the file) and `_line` (its line, where known).

What cannot be loaded (see docs/ingestion.md):
- CSV records DuckDB cannot parse (wrong number of fields, a stray quote, a line over the size
  limit): DuckDB's `store_rejects` keeps them in the connection's rejects table;
- JSON Lines lines that are not valid JSON, or valid JSON but not an object;
- any record with an empty required field (`SourceSpec.required_fields`: its natural key,
  by default).
A JSON document (array or wrapper object) that does not parse at all rejects the whole file:
there is no record boundary to salvage. Nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from cdp.core.errors import CdpError
from ingestion.files import CsvDialect, json_shape, sample_records, sniff_csv
from ingestion.sources import CsvFormat, JsonFormat, Required, SourceSpec, describe_required

# A Shopify page or Mailchimp report is one JSON document: DuckDB must hold it whole, so its
# buffer is sized from the file (DuckDB's default stops at 16 MB). Elements of a bare array and
# lines of JSON Lines are records, read one at a time.
_MIN_JSON_OBJECT_BYTES = 1 << 24
JSON_DOCUMENT_MEMORY_FACTOR = 6
# One JSON Lines record may hold a whole order; longer lines are quarantined, not loaded.
_MAX_JSON_LINE_BYTES = 1 << 22
# Never appears unescaped in valid JSON, so splitting on it yields whole lines.
_NO_DELIMITER = "\x01"
# A plan is a template over a list of files (files of one kind are read in one scan): the list,
# the largest document's size and each record's number inside its own file are bound last.
_FILES = "__cdp_files__"
_OBJECT_BYTES = "__cdp_object_bytes__"
_NUMBER_IN_FILE = "__cdp_number_in_file__"
"""`_g` (the record's number in the whole scan) turned into its number inside its file."""
REJECTS_TABLE = "cdp_reject_errors"
REJECTS_SCAN = "cdp_reject_scans"


@dataclass
class ReadPlan:
    """How a file is read: the SELECT, what to tell the user, and whether DuckDB's CSV
    rejects tables collect records the parser could not read.

    The queries are templates over a list of files (`sql_for`): files whose plans have the
    same `template` are read in one scan, each row carrying its file (`_file`, the path as
    given) and its record number inside that file."""

    template: str
    shape: str
    """`csv`, `empty`, `header_only`, `lines`, `array` or `document`."""
    notes: list[str] = field(default_factory=list)
    uses_rejects: bool = False
    document_check: str | None = None
    """For JSON documents: a query returning (file, documents, documents without the record
    array) per file."""
    root_key: str | None = None
    memory_bytes: int = 0
    """Memory DuckDB needs beyond streaming (a JSON document is parsed whole)."""
    skipped_sql: str | None = None
    """For formats with a record filter: a query counting, per file, the records that belong
    to another table (a bulk operation's nested lines)."""
    format_name: str = ""
    child_rows: bool = False
    """Rows are elements of an array inside each record (line items of an order)."""

    @property
    def batch_key(self) -> tuple:
        """Files with equal keys can be read in one scan."""
        return (self.template, self.shape, self.document_check, self.skipped_sql)

    def sql_for(self, files: list[Path], template: str | None = None) -> str:
        """The query (or `template`, one of the plan's other queries) over `files`."""
        return bind_files(self.template if template is None else template, files)


def bind_files(template: str, files: list[Path]) -> str:
    listed = ", ".join(_quote_literal(str(f)) for f in files)
    largest = max(f.stat().st_size for f in files)
    # A single file needs no partition: its scan order is its record order.
    number = "_g" if len(files) == 1 else "(_g - min(_g) over (partition by filename) + 1)"
    return (
        template.replace(_FILES, f"[{listed}]")
        .replace(_OBJECT_BYTES, str(max(_MIN_JSON_OBJECT_BYTES, largest + 1)))
        .replace(_NUMBER_IN_FILE, number)
    )


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _empty(expression: str) -> str:
    return f"nullif(trim({expression}), '') is null"


def _any_empty(item: Required, expressions: dict[str, str]) -> str | None:
    """SQL true when the required field (or every one of an any-of group) is empty."""
    names = item if isinstance(item, tuple) else (item,)
    present = [expressions[n] for n in names if n in expressions]
    if not present:
        return None
    return " and ".join(f"({_empty(e)})" for e in present)


def _csv_plan(spec: SourceSpec, path: Path, file_name: str) -> ReadPlan:
    fmt = spec.format
    assert isinstance(fmt, CsvFormat)
    dialect: CsvDialect | None = sniff_csv(path, fmt.known_headers)
    if dialect is None:
        return ReadPlan("", "empty")
    headers = dialect.headers
    match = fmt.match(headers)
    # recognition ranks every format of the tool folder (imported here: it imports readers' deps)
    from ingestion.recognition import better_format, nearest_note

    if match.missing:
        raise CdpError(
            f"missing required column(s) {', '.join(match.missing)} for {spec.table} "
            f"(line 1 is the header: {', '.join(headers) or 'empty'})" + nearest_note(headers, spec)
        )
    if (other := better_format(headers, spec)) is not None:
        raise CdpError(
            f"the header is that of {other.label}, not of {spec.table}: name the file like "
            f"{other.file_patterns[0]} (line 1 is the header: {', '.join(headers)})"
        )
    notes = []
    if dialect.delimiter != ",":
        notes.append(f"delimiter {dialect.delimiter!r}")
    if match.aliased:
        notes.append(
            "read by their other names: "
            + ", ".join(f"{written!r} as {canonical!r}" for written, canonical in match.aliased)
        )
    selects = []
    for column in [c for c in fmt.columns if c not in fmt.derived]:
        position = match.positions.get(column)
        value = f"c{position}" if position is not None else "null"
        # Empty cells mean "no value" in every tool we read; keep them as NULL, not ''.
        selects.append(f"nullif({value}, '') as {_quote_ident(column)}")
    for column, by_pattern in fmt.derived.items():
        value = next(
            (
                v
                for pattern, v in by_pattern.items()
                if fnmatch(Path(file_name).stem.lower(), pattern)
            ),
            None,
        )
        selects.append(f"{_quote_literal(value) if value else 'null'} as {_quote_ident(column)}")
    extras = [(position, header or f"column_{position + 1}") for position, header in match.unknown]
    if extras:
        pairs = ", ".join(f"{_quote_literal(name)}, c{position}" for position, name in extras)
        selects.append(f"cast(json_object({pairs}) as varchar) as _extra")
        notes.append(
            f"{len(extras)} unknown column(s) kept in _extra: "
            + ", ".join(repr(name) for _, name in extras)
        )
    else:
        selects.append("cast(null as varchar) as _extra")
    cells = {column: f"c{position}" for column, position in match.positions.items()}
    reasons = []
    for item in spec.required_fields:
        condition = _any_empty(item, cells)
        if condition is None:
            continue
        names = item if isinstance(item, tuple) else (item,)
        written = tuple(headers[match.positions[n]] for n in names if n in match.positions)
        label = describe_required(written if len(written) > 1 else written[0])
        verb = "are" if len(written) > 1 else "is"
        reasons.append(
            f"when {condition} then {_quote_literal(f'required field {label} {verb} empty')}"
        )
    reject = f"case {' '.join(reasons)} end" if reasons else "cast(null as varchar)"
    delimiter = _quote_literal(dialect.delimiter)
    # The record as it stood: its fields joined with the file's delimiter, quoted as needed.
    fields = [
        f"case when c{i} is null then '' when c{i} like '%' || {delimiter} || '%' "
        f"or c{i} like '%\"%' or c{i} like '%' || chr(10) || '%' "
        f"then '\"' || replace(c{i}, '\"', '\"\"') || '\"' else c{i} end"
        for i in range(len(headers))
    ]
    raw_text = f"concat_ws({delimiter}, {', '.join(fields)})"
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers)))
    reader = (
        f"read_csv({_FILES}, header = true, auto_detect = false, "
        f"columns = {{{columns}}}, delim = {delimiter}, quote = '\"', escape = '\"', "
        f"parallel = false, filename = true, store_rejects = true, "
        f"rejects_table = '{REJECTS_TABLE}', rejects_scan = '{REJECTS_SCAN}')"
    )
    sql = (
        f"with scanned as (select *, row_number() over () as _g from {reader}), "
        f"parsed as (select *, {_NUMBER_IN_FILE} as _n from scanned), "
        f"judged as (select *, {reject} as _reject from parsed) "
        f"select {', '.join(selects)}, _n as _source_row, _reject, "
        f"case when _reject is not null then {raw_text} end as _raw_text, "
        "_n + 1 as _line, filename as _file from judged"
    )
    return ReadPlan(sql, "csv", notes, uses_rejects=True, format_name=fmt.name)


def _json_value(record: str, path: str | tuple[str, ...]) -> str:
    """A single JSON path read on its own (used for the computed refund amount)."""
    if isinstance(path, tuple):
        return f"coalesce({', '.join(_json_value(record, p) for p in path)})"
    if path == "@refund_amount":
        # A refund's money is in its transactions: add the successful `refund` ones.
        return (
            "(select cast(sum(cast(json_extract_string(t, '$.amount') as decimal(18, 2))) "
            f"as varchar) from (select unnest(json_extract({record}, '$.transactions[*]')) as t) "
            "where json_extract_string(t, '$.kind') = 'refund' "
            "and coalesce(json_extract_string(t, '$.status'), 'success') = 'success')"
        )
    return f"nullif(json_extract_string({record}, {_quote_literal(path)}), '')"


class _Paths:
    """Collects JSON paths so one record is parsed once (`json_extract_string(r, [paths])`)."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def value(self, values: str, record: str, path: str | tuple[str, ...]) -> str:
        if isinstance(path, tuple):
            return f"coalesce({', '.join(self.value(values, record, p) for p in path)})"
        if path.startswith("@"):
            return _json_value(record, path)
        self.paths.append(path)
        return f"nullif({values}[{len(self.paths)}], '')"

    def extract(self, record: str) -> str:
        listed = ", ".join(_quote_literal(p) for p in self.paths)
        return f"try(json_extract_string({record}, [{listed}]))"


def _records_sql(shape: str, root_keys: list[str], strict: bool) -> tuple[str, str | None, bool]:
    """(records CTE body with r, _record_no, _line, _file; the document check; uses rejects).

    A document's records are the array under the first of `root_keys` it has; unless `strict`,
    a document without any of them is read from its one array-valued key, whatever its name."""
    if shape == "lines":
        reader = (
            f"read_csv({_FILES}, columns = {{'line': 'VARCHAR'}}, header = false, "
            f"auto_detect = false, delim = '{_NO_DELIMITER}', quote = '', escape = '', "
            f"parallel = false, max_line_size = {_MAX_JSON_LINE_BYTES}, filename = true, "
            f"store_rejects = true, rejects_table = '{REJECTS_TABLE}', "
            f"rejects_scan = '{REJECTS_SCAN}')"
        )
        return (
            "select line as r, _n as _record_no, _n as _line, filename as _file from "
            f"(select *, {_NUMBER_IN_FILE} as _n from "
            f"(select line, filename, row_number() over () as _g from {reader})) "
            "where nullif(trim(line), '') is not null",
            None,
            True,
        )
    if shape == "array":
        return (
            f"select r, {_NUMBER_IN_FILE} as _record_no, cast(null as bigint) as _line, "
            "filename as _file from (select cast(json as varchar) as r, filename, "
            "row_number() over () as _g from "
            f"read_json_objects({_FILES}, format = 'array', filename = true, "
            f"maximum_object_size = {_MIN_JSON_OBJECT_BYTES * 4}))",
            None,
            False,
        )
    documents = (
        "select json as d, filename, row_number() over () as _doc from "
        f"read_json_objects({_FILES}, format = 'auto', filename = true, "
        f"maximum_object_size = {_OBJECT_BYTES})"
    )
    candidates = [f"json_extract(d, {_quote_literal('$.' + key)})" for key in root_keys]
    if not strict:  # the wrapper's one array-valued key, whatever its name (`events`, `data`, …)
        key = (
            "list_filter(json_keys(d), lambda k: json_type(json_extract(d, "
            "'$.\"' || k || '\"')) = 'ARRAY')[1]"
        )
        candidates.append(f"json_extract(d, '$.\"' || {key} || '\"')")
    array = candidates[0] if len(candidates) == 1 else f"coalesce({', '.join(candidates)})"
    check = (
        "select filename, count(*), "
        f"count(*) filter (where json_type({array}) is distinct from 'ARRAY') "
        f"from ({documents}) group by filename"
    )
    elements = f"json_extract({array}, '$[*]')"
    body = (
        "select cast(r as varchar) as r, "
        "row_number() over (partition by filename order by _doc, _i) as _record_no, "
        "cast(null as bigint) as _line, filename as _file from "
        "(select _doc, filename, unnest(e) as r, generate_subscripts(e, 1) as _i from "
        f"(select _doc, filename, {elements} as e from ({documents})))"
    )
    return body, check, False


def choose_format(spec: SourceSpec, records: list[dict]) -> JsonFormat:
    """The shape of `spec` whose top-level keys the sampled records have most of (share of the
    shape's keys present in the sample); the main format wins ties and empty samples."""
    formats = [f for f in spec.formats if isinstance(f, JsonFormat)]
    if len(formats) == 1 or not records:
        return formats[0]
    seen = set().union(*(r.keys() for r in records))
    return max(formats, key=lambda f: len(seen & f.record_keys) / max(len(f.record_keys), 1))


def _object_checks(record: str, values: str) -> str:
    """CASE branches for a record that is not a JSON object (its values failed to parse)."""
    return (
        f"when left(ltrim({record}), 1) <> '{{' and json_valid({record}) "
        "then 'not a JSON object' "
        f"when {values} is null then 'invalid JSON'"
    )


def _missing(spec: SourceSpec, column: str) -> str:
    return "missing natural key" if column in spec.key_columns else "missing required field"


def _key_checks(spec: SourceSpec, values: dict[str, str], paths: dict) -> str:
    """CASE branches quarantining a record without a required field (any-of groups: all)."""
    branches = []
    for item in spec.required_fields:
        names = item if isinstance(item, tuple) else (item,)
        present = [n for n in names if n in values]
        if not present:
            continue
        condition = " and ".join(f"{values[n]} is null" for n in present)
        if len(present) == 1 and present[0] in paths and isinstance(paths[present[0]], str):
            what = f"{_missing(spec, present[0])} {present[0]} ({paths[present[0]]})"
        else:
            what = f"{_missing(spec, present[0])} {' or '.join(present)}"
        branches.append(f"when {condition} then {_quote_literal(what)}")
    return " ".join(branches)


def _json_plan(spec: SourceSpec, path: Path) -> ReadPlan:
    root_keys = [f.root_key for f in spec.formats if isinstance(f, JsonFormat) and f.root_key]
    strict = all(isinstance(f, JsonFormat) and f.root_key for f in spec.formats)
    record_keys = set().union(*(f.record_keys for f in spec.formats if isinstance(f, JsonFormat)))
    shape = json_shape(path, set(root_keys), record_keys)
    if shape == "empty":
        return ReadPlan("", "empty")
    formats = [f for f in spec.formats if isinstance(f, JsonFormat)]
    fmt = (
        formats[0]
        if len(formats) == 1
        else choose_format(spec, sample_records(path, shape, set(root_keys)))
    )
    ordered_keys = ([fmt.root_key] if fmt.root_key else []) + [
        k for k in root_keys if k != fmt.root_key
    ]
    records, check, uses_rejects = _records_sql(shape, ordered_keys, strict)
    memory = path.stat().st_size * JSON_DOCUMENT_MEMORY_FACTOR if shape == "document" else 0
    notes = []
    if fmt is not spec.format:
        notes.append(f"read as {fmt.name}")
    shapes = {"lines": "JSON Lines", "array": "a bare JSON array", "document": "wrapper object"}
    if shape != fmt.expected_shape:
        notes.append(f"read as {shapes[shape]}")
    skipped_sql = None
    if fmt.record_filter:
        skipped_sql = (
            f"with records as ({records}) select _file, count(*) from records "
            f"where not coalesce(({fmt.record_filter}), false) group by _file"
        )
        records = (
            f"select * from ({records}) as unfiltered where coalesce(({fmt.record_filter}), false)"
        )
    all_columns = spec.columns
    parent = _Paths()
    parent_cols = {c: parent.value("v", "r", p) for c, p in fmt.columns.items()}
    plan_args = dict(
        uses_rejects=uses_rejects,
        document_check=check,
        root_key=fmt.root_key,
        memory_bytes=memory,
        skipped_sql=skipped_sql,
        format_name=fmt.name,
    )
    if fmt.child_path is None:
        key_checks = _key_checks(spec, parent_cols, fmt.columns)
        reject = f"case {_object_checks('r', 'v')} {key_checks} end"
        selects = ", ".join(
            f"{parent_cols.get(c, 'cast(null as varchar)')} as {_quote_ident(c)}"
            for c in all_columns
        )
        sql = (
            f"with records as ({records}), "
            f"parsed as (select *, {parent.extract('r')} as v from records), "
            f"judged as (select *, {reject} as _reject from parsed) "
            f"select {selects}, cast(null as varchar) as _extra, _record_no as _source_row, "
            "_reject, case when _reject is not null then r end as _raw_text, _line, _file "
            "from judged"
        )
        return ReadPlan(sql, shape, notes, **plan_args)

    child = _Paths()
    child_cols = {c: child.value("cv", "c", p) for c, p in fmt.child_columns.items()}
    children_array = f"try(json_extract(r, {_quote_literal(fmt.child_path + '[*]')}))"
    values = {**parent_cols, **child_cols}
    key_checks = _key_checks(spec, values, {})
    child_filter = f"where {fmt.child_filter}" if fmt.child_filter else ""
    # Records that are not valid objects are quarantined by the parent table; here they hold
    # no children to read.
    parents_sql = (
        f"select *, {parent.extract('r')} as v, {children_array} as kids from records "
        "where left(ltrim(r), 1) = '{'"
    )
    selects = ", ".join(
        f"{values.get(c, 'cast(null as varchar)')} as {_quote_ident(c)}" for c in all_columns
    )
    sql = (
        f"with records as ({records}), parents as ({parents_sql}), "
        "children as (select v, r, _record_no, _line, _file, unnest(kids) as c, "
        "generate_subscripts(kids, 1) as _child_no from parents where v is not null), "
        f"parsed as (select *, {child.extract('c')} as cv from children {child_filter}), "
        f"judged as (select *, case when cv is null then 'invalid JSON' {key_checks} end "
        "as _reject from parsed) "
        f"select {selects}, cast(null as varchar) as _extra, "
        "row_number() over (partition by _file order by _record_no, _child_no) as _source_row, "
        "_reject, case when _reject is not null then cast(c as varchar) end as _raw_text, "
        "_line, _file from judged"
    )
    return ReadPlan(sql, shape, notes, child_rows=True, **plan_args)


def read_plan(spec: SourceSpec, path: Path, file_name: str | None = None) -> ReadPlan:
    """How to turn a UTF-8 file, and every file with the same plan, into rows of
    `raw.<spec.table>` (lineage: `_file`, the path given to `ReadPlan.sql_for`)."""
    if isinstance(spec.format, CsvFormat):
        return _csv_plan(spec, path, file_name or path.name)
    return _json_plan(spec, path)
