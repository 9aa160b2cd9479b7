"""Reverse ETL: segment tables in the warehouse -> import files for marketing and CRM tools.

Plain Python with no Dagster import (the assets in `orchestration/` are thin wrappers):
`load_segment_specs` reads segment definitions from dbt's manifest.json and `export_segment`
writes one destination's file for one segment. See docs/exports.md.
"""

from exports.destinations import DESTINATIONS, Destination, get_destination
from exports.errors import ExportError
from exports.segments import SegmentSpec, load_segment_specs
from exports.writer import ExportResult, export_segment

__all__ = [
    "DESTINATIONS",
    "Destination",
    "ExportError",
    "ExportResult",
    "SegmentSpec",
    "export_segment",
    "get_destination",
    "load_segment_specs",
]
