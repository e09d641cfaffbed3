"""Telegram's webhook body, read with a size cap and checked before anything is stored."""

from __future__ import annotations

import json
from typing import Any

from aiogram.types import Update
from pydantic import ValidationError
from starlette.requests import Request

MAX_BODY = 1024 * 1024
"""Telegram's updates are a few kilobytes; a megabyte is far more than any real one."""
MAX_DEPTH = 32
"""A real update nests about eight levels; thousands would exhaust the parsers' stacks."""


class Refused(Exception):
    """A body the webhook answers with an HTTP status instead of handling."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


async def read_capped(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused with 413 as soon as it is known to be too large."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(413, "too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, "too large")
        chunks.append(chunk)
    return b"".join(chunks)


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Brackets nested deeper than limit, outside strings: checked before parsing."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def parse_update(raw: bytes, bot: Any) -> dict[str, Any]:
    """A JSON object that aiogram reads as an Update; anything else is refused with 400."""
    if too_deep(raw):
        raise Refused(400, "nested too deeply")
    try:
        update = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "invalid JSON") from None
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise Refused(400, "not an update")
    try:
        Update.model_validate(update, context={"bot": bot})
    except ValidationError:
        raise Refused(400, "not an update") from None
    return update
