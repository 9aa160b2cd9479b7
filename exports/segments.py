"""Segment definitions, read from the `meta.segment` block of dbt models in manifest.json.

dbt is the single place where a segment is defined (its SQL) and described (its meta), so the
exporter reads the compiled manifest rather than a second config file that could drift. Meta is
validated strictly, and every error names the model, because a typo in YAML (an unknown
destination, a misspelt key) would otherwise silently send nothing, or the wrong people.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from exports.destinations import DESTINATIONS, Destination
from exports.errors import ExportError
from exports.model import SEGMENT_CHANNELS as CHANNELS
from exports.model import SegmentSpec

__all__ = ["CHANNELS", "SegmentSpec", "check_destination_allowed", "load_segment_specs"]
REFRESH_VALUES: frozenset[str] = frozenset({"hourly", "daily", "weekly"})
DEFAULT_REFRESH = "daily"
KNOWN_KEYS: frozenset[str] = frozenset(
    {"name", "description", "channel", "destinations", "refresh"}
)

# The name becomes a folder under the exports directory and a Mailchimp tag (<= 100 chars, no
# comma), so it is restricted to a safe identifier.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,99}$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def load_segment_specs(manifest_path: Path) -> list[SegmentSpec]:
    """Every dbt model with `config.meta.segment` (or `meta.segment`), sorted by segment name."""
    manifest = _read_manifest(manifest_path)
    specs: dict[str, SegmentSpec] = {}
    owners: dict[str, str] = {}
    for unique_id, node in sorted(manifest.get("nodes", {}).items()):
        if not isinstance(node, dict) or node.get("resource_type") != "model":
            continue
        meta = _segment_meta(unique_id, node)
        if meta is None:
            continue
        spec = _parse_spec(unique_id, node, meta)
        if spec.name in specs:
            raise ExportError(
                f"{unique_id}: segment name {spec.name!r} is already used by {owners[spec.name]}; "
                "segment names must be unique."
            )
        specs[spec.name] = spec
        owners[spec.name] = unique_id
    return [specs[name] for name in sorted(specs)]


def check_destination_allowed(segment: SegmentSpec, destination: Destination) -> None:
    """Raises unless the segment's meta lists `destination` and its channel is compatible.

    Called at load time and again by the writer, so a hand-built SegmentSpec cannot send
    people to a tool their segment was not declared for.
    """
    if destination.name not in segment.destinations:
        raise ExportError(
            f"Segment {segment.name!r} ({segment.model_name}) does not list destination "
            f"{destination.name!r} in meta.segment.destinations {list(segment.destinations)}."
        )
    problem = channel_problem(destination, segment.channel)
    if problem:
        raise ExportError(f"{segment.model_name}: meta.segment {problem}")


def channel_problem(destination: Destination, channel: str) -> str | None:
    """Why a segment of `channel` may not use `destination`, or None.

    Email (and SMS) marketing tools need a segment of their channel; ad audiences need channel
    `ads` or `email` (their consent rule is email-marketing consent); CRMs, data-team files and
    the webhook accept any channel.
    """
    if channel in destination.channels:
        return None
    marketing = destination.marketing_channel
    allowed = " or ".join(sorted(destination.channels))
    return (
        f"channel is {channel!r} but destination {destination.name!r} is for {marketing} "
        f"marketing and needs channel {allowed}; set channel: {allowed.split(' or ')[0]} or "
        f"remove {destination.name!r}."
    )


def _read_manifest(manifest_path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExportError(
            f"No dbt manifest at {manifest_path}: run `dbt parse` (or `cdp run`) first."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"Cannot read dbt manifest {manifest_path}: {exc}") from None
    if not isinstance(manifest, dict):
        raise ExportError(f"dbt manifest {manifest_path} is not a JSON object.")
    return manifest


def _segment_meta(unique_id: str, node: dict[str, Any]) -> dict[str, Any] | None:
    """The node's segment meta (config.meta first, then the mirrored top-level meta)."""
    for where in ("config.meta", "meta"):
        container = node.get("config", {}) if where == "config.meta" else node
        meta = container.get("meta") if isinstance(container, dict) else None
        if isinstance(meta, dict) and "segment" in meta:
            segment = meta["segment"]
            if not isinstance(segment, dict):
                raise ExportError(
                    f"{unique_id}: {where}.segment must be a mapping "
                    f"(name, channel, destinations, ...), got {type(segment).__name__}."
                )
            return segment
    return None


def _parse_spec(unique_id: str, node: dict[str, Any], meta: dict[str, Any]) -> SegmentSpec:
    def fail(problem: str) -> ExportError:
        return ExportError(f"{unique_id}: meta.segment {problem}")

    unknown = sorted(set(meta) - KNOWN_KEYS)
    if unknown:
        raise fail(f"has unknown key(s) {unknown}; allowed: {sorted(KNOWN_KEYS)}.")

    name = meta.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail(
            f"name must be lower-case letters, digits and underscores (max 100), got {name!r}."
        )

    description = meta.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise fail(f"description must be text, got {description!r}.")

    channel = meta.get("channel")
    if channel not in CHANNELS:
        raise fail(f"channel must be one of {sorted(CHANNELS)}, got {channel!r}.")

    raw_destinations = meta.get("destinations")
    if (
        not isinstance(raw_destinations, list)
        or not raw_destinations
        or not all(isinstance(d, str) for d in raw_destinations)
    ):
        raise fail(f"destinations must be a non-empty list of names, got {raw_destinations!r}.")
    unknown_dest = [d for d in raw_destinations if d not in DESTINATIONS]
    if unknown_dest:
        raise fail(f"names unknown destination(s) {unknown_dest}; known: {sorted(DESTINATIONS)}.")
    if len(set(raw_destinations)) != len(raw_destinations):
        raise fail(f"destinations lists a destination twice: {raw_destinations}.")
    for destination in raw_destinations:
        problem = channel_problem(DESTINATIONS[destination], channel)
        if problem:
            raise fail(problem)

    refresh = meta.get("refresh", DEFAULT_REFRESH)
    if refresh not in REFRESH_VALUES:
        raise fail(f"refresh must be one of {sorted(REFRESH_VALUES)}, got {refresh!r}.")

    spec = SegmentSpec(
        name=name,
        model_name=str(node.get("name", "")),
        relation=_relation(unique_id, node),
        description=description.strip(),
        channel=channel,
        destinations=tuple(raw_destinations),
        refresh=refresh,
    )
    return spec


def _relation(unique_id: str, node: dict[str, Any]) -> str:
    """`schema.table` as built by dbt (alias wins over name), without the database part."""
    schema = node.get("schema")
    table = node.get("alias") or node.get("name")
    for part in (schema, table):
        if not isinstance(part, str) or not _IDENTIFIER.match(part):
            raise ExportError(
                f"{unique_id}: cannot export from relation {schema!r}.{table!r}: schema and "
                "table must be plain identifiers."
            )
    return f"{schema}.{table}"
