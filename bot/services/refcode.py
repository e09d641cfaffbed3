"""Declaration reference codes like HP-7KQ4-2M: short, readable aloud, hard to mistype."""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""No 0, O, 1 or I: they are confused when read aloud or copied by hand."""

PATTERN = re.compile(rf"^[A-Z]{{2,3}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{2}}$")


def new_ref(province: str) -> str:
    """A fresh random code for the province; uniqueness is checked by the caller."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{province}-{body[:4]}-{body[4:]}"
