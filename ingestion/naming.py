"""How a tool's column header becomes a raw column name."""

import re

_NON_ALNUM = re.compile(r"[^0-9a-zA-Z]+")


def snake_case(header: str) -> str:
    """`Email Address` → `email_address`, `MEMBER_RATING` → `member_rating` (the raw-table rule)."""
    return _NON_ALNUM.sub("_", header.strip().lstrip("\ufeff")).strip("_").lower()
