"""Where identifiers live, as the dbt project declares it: a column holding a personal
identifier carries `meta: {identifier_type: <type>}` in the YAML (raw columns in the sources,
built columns in the models; a list when one column holds two types, `none` for a column whose
name looks like an identifier but is not one). Read from dbt's manifest.json, never repeated
here, so what erasure scrubs is what the project documents (tests/unit/test_identifier_meta.py
fails on an identifier-looking column without it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cdp.core.dbt_paths import DBT_MANIFEST_PATH
from cdp.core.errors import CdpError

META_KEY = "identifier_type"
NOT_AN_IDENTIFIER = "none"
RAW_SCHEMA = "raw"
# Column names that look like an email or phone identifier, so they must declare META_KEY.
LOOKS_LIKE_IDENTIFIER = re.compile(r"(email|phone)(_address|_number)?$")

# identifier type -> the columns holding it
ColumnsByType = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class IdentifierColumns:
    """raw: raw table -> its identifier columns; built: (schema, table) of a dbt model,
    snapshot or seed -> its identifier columns."""

    raw: Mapping[str, ColumnsByType]
    built: Mapping[tuple[str, str], ColumnsByType]

    def raw_types(self, table: str) -> ColumnsByType:
        return self.raw.get(table, {})

    def built_columns(self, schema: str, table: str, identifier_type: str) -> tuple[str, ...]:
        return self.built.get((schema.lower(), table.lower()), {}).get(identifier_type, ())


def declared_types(column: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The identifier types a manifest column declares: () for `none`, None when undeclared."""
    meta = {**column.get("meta", {}), **column.get("config", {}).get("meta", {})}
    if META_KEY not in meta:
        return None
    declared = meta[META_KEY]
    kinds = [declared] if isinstance(declared, str) else list(declared or [])
    return tuple(kind for kind in kinds if kind != NOT_AN_IDENTIFIER)


def _by_type(columns: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for name, column in columns.items():
        for kind in declared_types(column) or ():
            found.setdefault(kind, []).append(name)
    return {kind: tuple(names) for kind, names in found.items()}


def identifier_columns(manifest: Mapping[str, Any]) -> IdentifierColumns:
    raw = {
        source.get("identifier") or source["name"]: _by_type(source.get("columns", {}))
        for source in manifest.get("sources", {}).values()
        if source.get("schema") == RAW_SCHEMA
    }
    built = {
        (node["schema"].lower(), (node.get("alias") or node["name"]).lower()): _by_type(
            node.get("columns", {})
        )
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") in ("model", "snapshot", "seed")
    }
    return IdentifierColumns(
        raw={table: kinds for table, kinds in raw.items() if kinds},
        built={relation: kinds for relation, kinds in built.items() if kinds},
    )


def read_manifest(manifest_path: Path) -> dict[str, Any]:
    try:
        return json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CdpError(
            f"No dbt manifest at {manifest_path}: run `dbt parse` (or `cdp run`) first."
        ) from None


def load_identifier_columns(manifest_path: Path = DBT_MANIFEST_PATH) -> IdentifierColumns:
    """The project's identifier columns (read once per manifest version)."""
    try:
        stamp = manifest_path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = 0
    return _load(manifest_path, stamp)


@cache
def _load(manifest_path: Path, stamp: int) -> IdentifierColumns:
    return identifier_columns(read_manifest(manifest_path))
