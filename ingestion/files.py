"""What a landing file is before any SQL touches it: content hash, encoding, CSV dialect.

One streamed pass over the bytes gives the sha256 (the manifest's identity of a file), whether
the text is valid UTF-8, and the number of double quotes (an odd count means a quoted CSV value
is never closed: DuckDB would silently swallow the rest of the file). Text that is not UTF-8 is
transcoded to a UTF-8 temporary file once, so every reader downstream sees one encoding.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from cdp.core.errors import CdpError
from ingestion.naming import header_key

_BLOCK = 1 << 20
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
CSV_DELIMITERS = (",", ";", "\t", "|")


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Windows-1252 leaves five bytes undefined; read those as Latin-1 rather than fail."""
    return error.object[error.start : error.start + 1].decode("latin-1"), error.start + 1


codecs.register_error("cdp_cp1252_fallback", _cp1252_fallback)


@dataclass(frozen=True)
class FileFacts:
    """Facts about one file's bytes, gathered in a single pass."""

    size: int
    sha256: str
    encoding: str
    """`utf-8`, `utf-8-sig` (UTF-8 with a byte-order mark), `utf-16` or `cp1252`."""
    quotes: int
    """How many `"` bytes the file holds (before any transcoding)."""

    @property
    def is_utf8(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")

    @property
    def note(self) -> str:
        """What the user should know about the encoding, or '' when it is plain UTF-8."""
        return {
            "utf-8-sig": "UTF-8 with byte-order mark",
            "utf-16": "read as UTF-16 (transcoded to UTF-8)",
            "cp1252": "not UTF-8: read as Windows-1252 / Latin-1",
        }.get(self.encoding, "")


def inspect_file(path: Path) -> FileFacts:
    """Hashes the file and detects its encoding, streaming it in 1 MiB blocks."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    quotes = size = 0
    first = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            if not first:
                first = block[:4]
            digest.update(block)
            size += len(block)
            quotes += block.count(b'"')
            if utf8_ok:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8_ok = False
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:  # the file ends inside a multi-byte character
            utf8_ok = False
    if first.startswith(_UTF16_BOMS):
        encoding = "utf-16"
    elif first.startswith(_UTF8_BOM):
        encoding = "utf-8-sig" if utf8_ok else "cp1252"
    else:
        encoding = "utf-8" if utf8_ok else "cp1252"
    return FileFacts(size, digest.hexdigest(), encoding, quotes)


@contextmanager
def utf8_view(path: Path, facts: FileFacts) -> Iterator[Path]:
    """The file itself when it is UTF-8, else a UTF-8 copy in a temporary folder (streamed)."""
    if facts.is_utf8:
        yield path
        return
    with TemporaryDirectory(prefix="cdp-transcode-") as folder:
        target = Path(folder) / path.name
        errors = "cdp_cp1252_fallback" if facts.encoding == "cp1252" else "strict"
        with (
            path.open(encoding=facts.encoding, errors=errors, newline="") as source,
            target.open("w", encoding="utf-8", newline="") as out,
        ):
            for text in iter(lambda: source.read(_BLOCK), ""):
                out.write(text)
        yield target


def head_text(path: Path, limit: int = 1 << 16) -> str:
    """The first `limit` bytes of a UTF-8 file as text, without a byte-order mark."""
    with path.open("rb") as handle:
        raw = handle.read(limit)
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff")


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    headers: list[str]


def sniff_csv(path: Path, known_headers: tuple[str, ...]) -> CsvDialect | None:
    """Finds the delimiter and header of a UTF-8 CSV file; None when the file has no header.

    The delimiter is the candidate whose split of the first record names most of the tool's
    known headers (then: most fields), headers compared as `naming.header_key` does. Sniffing on
    the header alone keeps a bad data row from misleading the choice, which DuckDB's whole-file
    sniffer is prone to.
    """
    text = head_text(path)
    if not text.strip():
        return None
    known = {header_key(h) for h in known_headers}
    best: tuple[int, int, str, list[str]] | None = None
    for delimiter in CSV_DELIMITERS:
        try:
            record = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
        except csv.Error:
            continue
        headers = [h.strip() for h in record]
        score = (sum(header_key(h) in known for h in headers), len(headers))
        if best is None or score > best[:2]:
            best = (*score, delimiter, headers)
    if best is None or not any(best[3]):
        return None
    return CsvDialect(best[2], best[3])


def json_shape(path: Path, root_keys: set[str], record_keys: set[str]) -> str:
    """`empty`, `array` (`[...]`), `lines` (one record per line) or `document` (one or more
    wrapper objects holding the record array, compact or pretty-printed).

    Decided from the head of the file: a first line that is a complete JSON object is a record
    (JSON Lines) unless it is a wrapper (it has one of `root_keys`, or an array value and none
    of a record's keys); a broken first line followed by a complete one is JSON Lines with a bad
    line; anything else starting with `{` is a document for DuckDB to parse.
    """
    stripped = head_text(path).lstrip()
    if not stripped:
        return "empty"
    if stripped[0] == "[":
        return "array"
    if stripped[0] != "{":
        raise CdpError(f"not JSON: the file starts with {stripped[:20]!r} (expected '{{' or '[')")
    lines = [line for line in stripped.splitlines() if line.strip()][:2]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            parsed.append(None)
    first = parsed[0]
    if isinstance(first, dict):
        return "document" if _is_wrapper(first, root_keys, record_keys) else "lines"
    if len(parsed) > 1 and isinstance(parsed[1], dict):
        return "lines"
    return "document"


def _is_wrapper(obj: dict, root_keys: set[str], record_keys: set[str]) -> bool:
    """An expected wrapper, or (so it is reported, not misread) an object holding an array
    and none of a record's keys: a wrapper under another key."""
    if root_keys & obj.keys():
        return True
    return any(isinstance(v, list) for v in obj.values()) and not record_keys & obj.keys()


def sample_records(
    path: Path, shape: str, root_keys: set[str], limit: int = 50, head_bytes: int = 1 << 20
) -> list[dict]:
    """Up to `limit` records from the head of a UTF-8 JSON file of the given `json_shape`, for
    telling record shapes apart. Records cut off by the end of the head, and lines that are not
    JSON objects, are skipped."""
    text = head_text(path, head_bytes).lstrip()
    found: list[dict] = []
    if shape == "lines":
        for line in text.splitlines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(value)
            if len(found) >= limit:
                break
        return found
    if shape == "array":
        return _array_elements(text, 1, limit)
    if shape == "document":
        # The records under an expected key, without parsing the document up to them.
        for key in sorted(root_keys):
            if match := re.search(rf'"{re.escape(key)}"\s*:\s*\[', text):
                if found := _array_elements(text, match.end() - 1, limit):
                    return found
        try:
            document, _ = json.JSONDecoder().raw_decode(text)
        except ValueError:  # longer than the head: read the first array of objects
            match = _ARRAY_START.search(text)
            return _array_elements(text, match.end() - 1, limit) if match else []
        if isinstance(document, dict):
            for key in [*sorted(root_keys & document.keys()), *document]:
                value = document[key]
                if isinstance(value, list) and any(isinstance(v, dict) for v in value):
                    return [v for v in value if isinstance(v, dict)][:limit]
    return found


_ARRAY_START = re.compile(r'"[^"]+"\s*:\s*\[\s*\{')


def _array_elements(text: str, position: int, limit: int) -> list[dict]:
    """Objects of a JSON array starting just after `position` (the `[`), as far as they go."""
    decoder = json.JSONDecoder()
    found: list[dict] = []
    while len(found) < limit:
        while position < len(text) and text[position] in " \t\r\n,[":
            position += 1
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            break
        if isinstance(value, dict):
            found.append(value)
    return found
