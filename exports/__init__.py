"""Reverse ETL: segment tables in the warehouse -> import files for marketing and CRM tools.

Plain Python with no Dagster import (the assets in `orchestration/` are thin wrappers):
`load_segment_specs` reads segment definitions from dbt's manifest.json and `export_segment`
writes one destination's files (full, adds, removes, manifest) for one segment, incrementally
against the sync state in DuckDB. See docs/exports.md.
"""

from exports.destinations import DESTINATIONS, Destination, get_destination
from exports.errors import ExportError
from exports.segments import SegmentSpec, load_segment_specs
from exports.suppression import Suppression, load_suppression
from exports.webhook import WebhookClient
from exports.writer import ExportResult, export_segment

__all__ = [
    "DESTINATIONS",
    "Destination",
    "ExportError",
    "ExportResult",
    "SegmentSpec",
    "Suppression",
    "WebhookClient",
    "export_segment",
    "get_destination",
    "load_segment_specs",
    "load_suppression",
]
