"""How a tool's column header becomes a raw column name, and how headers are compared."""

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-zA-Z]+")


def snake_case(header: str) -> str:
    """`Email Address` → `email_address`, `MEMBER_RATING` → `member_rating` (the raw-table rule)."""
    return _NON_ALNUM.sub("_", header.strip().lstrip("\ufeff")).strip("_").lower()


# Called for every header of every file against every known header: thousands of daily files
# share a few dozen headers.
@lru_cache(maxsize=65536)
def header_key(header: str) -> str:
    """The form headers are compared in: case-, accent-, whitespace- and punctuation-blind.

    `E-mail Address `, `EMAIL_ADDRESS` and `email address` are all `emailaddress`; `Prénom` is
    `prenom`. Letters of any script are kept (`メールアドレス` stays itself), so a header in
    another language still has a key of its own.
    """
    text = unicodedata.normalize("NFKD", header.strip().lstrip("\ufeff")).casefold()
    return "".join(ch for ch in text if ch.isalnum())
