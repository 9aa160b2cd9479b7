"""The one exception type for problems a user can fix (bad file, busy warehouse, bad config)."""


class CdpError(Exception):
    """A user-facing error: the CLI prints its message without a traceback."""
