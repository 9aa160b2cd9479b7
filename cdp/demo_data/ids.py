"""Identifier factories shaped like each tool's ids, drawn from a seeded RNG.

Every id comes from the caller's `random.Random`, never from `uuid4()` or the clock, so the
same seed always yields the same ids; uniqueness is enforced where the tool guarantees it.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SQUARE_CUSTOMER = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdFactory:
    """Draws ids from one RNG stream and remembers them to keep them unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used: set[str | int] = set()

    def _unique(self, make: Callable[[], str | int]) -> str | int:
        while True:
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value

    def hex(self, n: int) -> str:
        """Lower-case hex like Mailchimp's campaign, list and unique email ids."""
        return str(self._unique(lambda: f"{self.rng.getrandbits(4 * n):0{n}x}"))

    def uuid(self) -> str:
        """A v4-shaped UUID (Shopify clientId), remembered to stay unique."""
        return str(self._unique(self.fresh_uuid))

    def fresh_uuid(self) -> str:
        """A v4-shaped UUID not remembered: 122 random bits never collide in practice, and
        tracking millions of event ids would cost hundreds of megabytes."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def fresh_hex(self, n: int) -> str:
        """Random hex not remembered (checkout tokens)."""
        return f"{self.rng.getrandbits(4 * n):0{n}x}"

    def number(self, low: int, high: int) -> int:
        """A unique integer in [low, high] (Mailchimp LEID)."""
        return int(self._unique(lambda: self.rng.randint(low, high)))

    def near(self, value: int, spread: int) -> int:
        """A unique integer just above `value`: Shopify ids grow with creation time."""
        return int(self._unique(lambda: value + self.rng.randrange(spread)))

    def square_customer(self) -> str:
        """26 characters of Crockford-style base32, like `GTY7JAA901CPDHWN4M3900J27W`."""
        return str(self._unique(lambda: "".join(self.rng.choices(_SQUARE_CUSTOMER, k=26))))

    def square_payment(self) -> str:
        """29 base62 characters ending in `Y`, like Square transaction and payment ids
        (160 random bits: not tracked, they cannot collide in practice)."""
        return "".join(self.rng.choices(_BASE62, k=27)) + self.rng.choice(("ZY", "YY"))

    def base62(self, n: int) -> str:
        """Random base62 text (deposit ids), not tracked."""
        return "".join(self.rng.choices(_BASE62, k=n))


_PUBLIC_OCTETS = (24, 47, 50, 64, 67, 68, 71, 73, 75, 76, 96, 98, 99, 107, 108, 173, 174)


def random_ip(rng: random.Random) -> str:
    """A public-looking IPv4 address (opens, clicks, checkouts)."""
    first = rng.choice(_PUBLIC_OCTETS)
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def md5_lower(email: str) -> str:
    """Mailchimp's subscriber hash: MD5 of the lower-cased address."""
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


def stable_hex(*parts: object, n: int = 10) -> str:
    """A short deterministic hash of the run parameters (file-name suffixes)."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:n]
