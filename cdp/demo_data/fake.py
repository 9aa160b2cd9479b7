"""Faker, which only the demo data needs: an optional dependency (the `demo` extra).

Imported by the generator's modules instead of `faker` itself, so that a missing install is
one clear line from the CLI rather than a traceback.
"""

from cdp.core.errors import CdpError

try:
    from faker import Faker
except ModuleNotFoundError as exc:
    raise CdpError(
        "Demo data needs Faker, which is not installed: pip install 'cdp[demo]' "
        "(`make install` does)."
    ) from exc

__all__ = ["Faker"]
