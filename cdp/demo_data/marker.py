"""Telling demo output apart from real exports, in the landing folder and in the warehouse.

Demo files carry the real tools' names (`shopify/customers_export.csv` is what Shopify
calls its export too), so a name never proves a file is demo output. The generator writes a
marker, `.cdp-demo-data.json`, in the landing folder and in the ground-truth folder, listing
the sha256 of every file it wrote there. With them:

- `cdp demo-data` deletes only files whose content is still what it wrote, and refuses a
  folder that holds anything else (`foreign_files`);
- `cdp run` records the demo files' sha256 in `meta.demo_files`, so the warehouse remembers
  which of its loads were demo data even after the landing folder is emptied
  (`real_loads`), and refuses to load demo files into a warehouse that holds real exports.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cdp.core.warehouse import create_table_if_missing

MARKER_NAME = ".cdp-demo-data.json"
DEMO_FILES_TABLE = "meta.demo_files"
# Files an operating system drops into folders by itself: never ours to delete, never a reason
# to refuse.
OS_CLUTTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def marker_path(landing_dir: Path) -> Path:
    return landing_dir / MARKER_NAME


def read_marker(folder: Path) -> dict[str, str]:
    """{path relative to `folder`: sha256} of the files demo data wrote there; empty when the
    folder has no (readable) marker, so that nothing counts as demo output."""
    path = marker_path(folder)
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files") or {}
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name not in OS_CLUTTER and p.name != MARKER_NAME
    )


def _write(folder: Path, files: dict[str, str], about: dict[str, object]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    marker_path(folder).write_text(
        json.dumps(
            {"written_by": "cdp demo-data", **about, "files": files},
            indent=1,
            sort_keys=True,
            default=str,
        ),
        encoding="utf-8",
    )


def write_marker(
    landing_dir: Path, truth_dir: Path, truth_names: tuple[str, ...], about: dict[str, object]
) -> None:
    """Lists every file now in the landing folder (the generator refused to start unless all
    earlier files were its own, then deleted them), and the ground-truth files it wrote."""
    landing = {
        p.relative_to(landing_dir).as_posix(): sha256_of(p) for p in _files_under(landing_dir)
    }
    truth = {
        name: sha256_of(truth_dir / name) for name in truth_names if (truth_dir / name).is_file()
    }
    _write(landing_dir, landing, about)
    if truth:
        _write(truth_dir, truth, about)


def earlier_demo_output(
    landing_dir: Path, truth_dir: Path, truth_names: tuple[str, ...]
) -> tuple[list[Path], list[Path]]:
    """(files an earlier `cdp demo-data` wrote and nobody changed since, every other file)
    in the landing folder and among the ground-truth names in the truth folder."""
    ours: list[Path] = []
    foreign: list[Path] = []
    landing_marker = read_marker(landing_dir)
    for path in _files_under(landing_dir):
        expected = landing_marker.get(path.relative_to(landing_dir).as_posix())
        (ours if expected and sha256_of(path) == expected else foreign).append(path)
    truth_marker = read_marker(truth_dir)
    for name in truth_names:
        path = truth_dir / name
        if path.is_file():
            expected = truth_marker.get(name)
            (ours if expected and sha256_of(path) == expected else foreign).append(path)
    return ours, foreign


def demo_files_present(landing_dir: Path) -> dict[str, str]:
    """{relative path: sha256} of landing files that are unchanged demo output."""
    marker = read_marker(landing_dir)
    present = {}
    for relative, expected in marker.items():
        path = landing_dir / relative
        if path.is_file() and sha256_of(path) == expected:
            present[relative] = expected
    return present


def _has_table(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def record_demo_files(conn: duckdb.DuckDBPyConnection, files: dict[str, str]) -> None:
    """Remembers, in the warehouse, the content hashes that are demo output."""
    if not files:
        return
    create_table_if_missing(
        conn,
        DEMO_FILES_TABLE,
        "sha256 varchar primary key, file_path varchar not null, recorded_at timestamp not null",
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    conn.executemany(
        f"insert into {DEMO_FILES_TABLE} values (?, ?, ?) on conflict do nothing",
        [[sha, relative, now] for relative, sha in sorted(files.items())],
    )


def loaded_shas(conn: duckdb.DuckDBPyConnection) -> set[str]:
    if not _has_table(conn, "meta", "ingested_files"):
        return set()
    rows = conn.execute(
        "select distinct sha256 from meta.ingested_files where status = 'loaded'"
    ).fetchall()
    return {row[0] for row in rows}


def real_loads(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Files the warehouse loaded whose content is not demo output (`source_table/file`)."""
    if not _has_table(conn, "meta", "ingested_files"):
        return []
    demo = (
        f"and sha256 not in (select sha256 from {DEMO_FILES_TABLE})"
        if _has_table(conn, "meta", "demo_files")
        else ""
    )
    return [
        row[0]
        for row in conn.execute(
            "select file_path from meta.ingested_files "
            f"where status = 'loaded' {demo} order by loaded_at, file_path"
        ).fetchall()
    ]
