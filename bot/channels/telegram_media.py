"""Voice notes, photos, files and stickers on Telegram: what a message carries, and its bytes.

Many returnees read and type poorly, so what they send this way must reach a caseworker
like text. The bytes are fetched here, before the unit of work, and never logged.
"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import Message, PhotoSize
from aiohttp import ClientError

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 30
"""Seconds for one file, getFile included; then the message goes on without it."""
STICKER_MIMES = {(False, False): "image/webp", (True, False): "application/x-tgsticker"}


@dataclass(frozen=True, slots=True)
class Attached:
    """The file a message carries, as the update describes it."""

    media: str
    """voice, audio, photo, file, sticker, video, video_note or animation."""
    mime: str
    file_id: str | None
    """None when it is not worth fetching: an animated sticker says no more than its emoji."""
    size: int | None
    name: str | None = None
    emoji: str | None = None

    def data(self) -> dict[str, Any]:
        """The Inbound's data, before fetching."""
        data: dict[str, Any] = {
            "media": self.media, "mime": self.mime, "size": self.size, "name": self.name,
        }  # fmt: skip
        if self.media == "sticker":
            data["emoji"] = self.emoji
            data["animated"] = self.file_id is None
        return data


def _largest_that_fits(sizes: list[PhotoSize], limit: int) -> PhotoSize:
    """Telegram sends each photo in several sizes; the largest within the limit, else the
    smallest (which is then marked too big)."""
    fitting = [p for p in sizes if (p.file_size or 0) <= limit] or [
        min(sizes, key=lambda p: p.file_size or 0)
    ]
    return max(fitting, key=lambda p: (p.file_size or 0, p.width * p.height))


def attached(message: Message, limit: int) -> Attached | None:
    """What file the message carries, or None for text, locations and the like."""
    if message.voice:
        v = message.voice
        return Attached("voice", v.mime_type or "audio/ogg", v.file_id, v.file_size)
    if message.audio:
        a = message.audio
        return Attached("audio", a.mime_type or "audio/mpeg", a.file_id, a.file_size, a.file_name)
    if message.photo:
        p = _largest_that_fits(message.photo, limit)
        return Attached("photo", "image/jpeg", p.file_id, p.file_size)
    if message.animation:  # a GIF also comes as a document: look at it first
        g = message.animation
        mime = g.mime_type or "video/mp4"
        return Attached("animation", mime, g.file_id, g.file_size, g.file_name)
    if message.document:
        d = message.document
        mime = d.mime_type or "application/octet-stream"
        return Attached("file", mime, d.file_id, d.file_size, d.file_name)
    if message.video:
        w = message.video
        return Attached("video", w.mime_type or "video/mp4", w.file_id, w.file_size, w.file_name)
    if message.video_note:
        n = message.video_note
        return Attached("video_note", "video/mp4", n.file_id, n.file_size)
    if message.sticker:
        s = message.sticker
        static = not (s.is_animated or s.is_video)
        mime = STICKER_MIMES.get((s.is_animated, s.is_video), "video/webm")
        return Attached("sticker", mime, s.file_id if static else None, s.file_size, None, s.emoji)
    return None


class _OverLimit(Exception):
    """More bytes than the limit allows, said by getFile or found while downloading."""


class _NoPath(Exception):
    """getFile gave no path to download from."""


class _CappedSink(io.BytesIO):
    """A buffer that stops the download once it holds more than the limit, whatever the
    update or getFile said the size was."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, chunk: Any) -> int:
        if self.tell() + len(chunk) > self.limit:
            raise _OverLimit
        return super().write(chunk)


async def _download(bot: Bot, file_id: str, limit: int) -> bytes:
    """getFile, then the file from the Bot API server's file URL (aiogram builds it)."""
    async with asyncio.timeout(DOWNLOAD_TIMEOUT):
        found = await bot.get_file(file_id)
        if found.file_size is not None and found.file_size > limit:
            raise _OverLimit
        if not found.file_path:
            raise _NoPath
        sink = _CappedSink(limit)
        await bot.download_file(found.file_path, sink, timeout=DOWNLOAD_TIMEOUT)
        return sink.getvalue()


async def fetch(bot: Bot, file: Attached, limit: int) -> tuple[bytes | None, dict[str, Any]]:
    """The bytes, and what to add to the event's data: the real size, too_big and limit,
    or failed. A failure never raises: the message goes on without its bytes."""
    if file.file_id is None:
        return None, {}
    over = {"too_big": True, "limit": limit}
    if file.size is not None and file.size > limit:
        return None, over
    try:
        data = await _download(bot, file.file_id, limit)
    except _OverLimit:
        return None, over
    except TelegramBadRequest as error:
        if "too big" in error.message:  # over Telegram's own 20 MB, size not announced
            return None, over
        return _failed(file, error)
    except (_NoPath, TelegramAPIError, ClientError, TimeoutError, OSError) as error:
        return _failed(file, error)
    return data, {"size": len(data)}


def _failed(file: Attached, error: BaseException) -> tuple[None, dict[str, Any]]:
    """Log the kinds of file and of error only: an error's message may quote the file's path."""
    log.warning("could not fetch a %s from Telegram (%s)", file.media, type(error).__name__)
    return None, {"failed": True}
