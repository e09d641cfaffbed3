"""Test helpers: a clock moved by hand, and a client that reads like a chat transcript."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import uvicorn
from fastapi import FastAPI

from bot.app import App
from dialogs.events import Button, Inbound, Kind, Reply


@dataclass
class FakeClock:
    """Time that only moves when a test says so: no test sleeps to wait."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 3, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        """Move time forward, e.g. advance(days=3)."""
        self.now += timedelta(**kwargs)


class Transcript:
    """Drives the app as a person would: send text, click a button by its label, read."""

    def __init__(self, app: App, chat: str = "tester", lang_hint: str | None = None) -> None:
        self.app, self.chat, self.lang_hint = app, chat, lang_hint
        self.replies: list[Reply] = []
        self.contact_id: int | None = None

    async def _event(self, kind: Kind, **kwargs: object) -> list[Reply]:
        event = Inbound(
            channel="test", chat=self.chat, user=self.chat, kind=kind,
            lang_hint=self.lang_hint, external_id=uuid4().hex, **kwargs,  # type: ignore[arg-type]
        )  # fmt: skip
        delivery = await self.app.conversations.handle(event)
        self.replies, self.contact_id = delivery.replies, delivery.contact_id
        return self.replies

    async def send(self, text: str) -> list[Reply]:
        """Type a message."""
        return await self._event(Kind.TEXT, text=text)

    async def command(self, text: str) -> list[Reply]:
        """Send a slash command such as /start."""
        return await self._event(Kind.COMMAND, text=text)

    async def press(self, payload: str) -> list[Reply]:
        """Press a button by payload, e.g. one from an older message."""
        return await self._event(Kind.BUTTON, payload=payload)

    async def location(self, lat: float, lon: float) -> list[Reply]:
        """Share a location."""
        return await self._event(Kind.LOCATION, location=(lat, lon))

    def button(self, label: str) -> Button:
        """The shown button whose label is, or starts with, label."""
        shown = [b for r in self.replies for row in r.buttons for b in row]
        for match in (lambda b: b.label == label, lambda b: b.label.startswith(label)):
            found = [b for b in shown if match(b)]
            if found:
                return found[0]
        raise AssertionError(f"no button {label!r}; shown: {[b.label for b in shown]}")

    async def click(self, label: str) -> list[Reply]:
        """Press a button that is on screen, by its label."""
        return await self.press(self.button(label).payload)

    async def skip_until(self, done: Callable[[Transcript], bool], limit: int = 60) -> None:
        """Skip questions (saying it is safe to go on) until done(self); fail, not hang."""
        for _ in range(limit):
            if done(self):
                return
            safe = "An toàn, làm tiếp"
            await self.click(safe if safe in self.labels else "Bỏ qua")
        raise AssertionError(f"not reached after {limit} steps; last: {self.text[:200]!r}")

    @property
    def text(self) -> str:
        """Everything the last event made the assistant say."""
        return "\n".join(r.text for r in self.replies)

    @property
    def labels(self) -> list[str]:
        """The labels of the buttons on screen."""
        return [b.label for r in self.replies for row in r.buttons for b in row]


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served(web: FastAPI, port: int) -> AsyncIterator[str]:
    """An ASGI app under uvicorn on localhost, as `hotline serve` runs it; yields its URL."""
    config = uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
