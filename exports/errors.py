"""The one exception type for export problems a user can fix (bad segment meta, missing table).

It subclasses the project's `CdpError` so the CLI and Dagster wrappers that already catch that
type print the message without a traceback; the message always names the model, relation or
destination at fault so the fix is obvious from the message alone.
"""

from cdp.core.errors import CdpError


class ExportError(CdpError):
    """A reverse-ETL export could not be produced, for a reason stated in the message."""
