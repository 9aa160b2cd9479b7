"""When people shop: a local time-of-day curve, so visits and orders cluster in the evening
rather than spreading evenly across the night (revenue-by-hour reports would look fake).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from itertools import accumulate

from cdp.demo_data.formats import zone

_HOUR_WEIGHTS = (
    1.0,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    1.2,
    2.5,
    3.5,
    4.0,
    4.2,
    4.5,
    5.0,
    4.8,
    4.5,
    4.5,
    4.8,
    5.2,
    6.0,
    6.5,
    6.8,
    6.0,
    4.5,
    2.5,
)
_CUMULATIVE = list(accumulate(_HOUR_WEIGHTS))


def poisson(rng: random.Random, lam: float) -> int:
    """How many times something happens in the history (sessions, extra orders)."""
    k, p, threshold = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def local_daytime(rng: random.Random, moment: datetime, tz: str, latest: datetime) -> datetime:
    """Keep `moment`'s local day but draw the hour from the shopping curve (UTC result).

    Falls back to `moment` when the reshaped time would pass `latest` (the end of history).
    """
    local = moment.astimezone(zone(tz))
    hour = rng.choices(range(24), cum_weights=_CUMULATIVE)[0]
    shaped = local.replace(
        hour=hour,
        minute=rng.randrange(60),
        second=rng.randrange(60),
        microsecond=rng.randrange(1_000_000),
    ).astimezone(UTC)
    return shaped if shaped < latest else moment
