"""What changed, published after commit: the console's live view listens here.

A Change carries ids only, never what a person wrote: on PostgreSQL it crosses the
server as a NOTIFY payload, and listeners read the rows themselves, with their own rights.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Protocol

MESSAGE_IN, MESSAGE_OUT, CASE = "message_in", "message_out", "case"


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change: what kind, which case and person, which team sees it."""

    kind: str
    case_id: int | None = None
    contact_id: int | None = None
    team: str | None = None

    def to_json(self) -> str:
        """The NOTIFY payload (ids and codes only)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Change:
        """Read a payload back; unknown keys are ignored."""
        data = json.loads(raw)
        return cls(
            kind=str(data.get("kind", "")),
            case_id=data.get("case_id"),
            contact_id=data.get("contact_id"),
            team=data.get("team"),
        )


class Bus(Protocol):
    """Publish after commit; each subscriber gets every change from when it subscribed."""

    async def publish(self, change: Change) -> None:
        """Tell every subscriber, in this process and (on PostgreSQL) in the others."""

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Change]]:
        """A stream of changes, open for the life of the context."""


class LocalBus:
    """One process: a queue per subscriber. A slow subscriber drops its oldest changes."""

    QUEUE = 1000

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Change]] = set()

    async def publish(self, change: Change) -> None:
        """Deliver to every subscriber of this process."""
        self.deliver(change)

    def deliver(self, change: Change) -> None:
        """Hand a change to the local subscribers (also used by the PostgreSQL listener)."""
        for queue in list(self._queues):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(change)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[Change]]:
        """Register a queue for the life of the context."""
        queue: asyncio.Queue[Change] = asyncio.Queue(self.QUEUE)
        self._queues.add(queue)
        try:
            yield _drain(queue)
        finally:
            self._queues.discard(queue)


async def _drain(queue: asyncio.Queue[Change]) -> AsyncIterator[Change]:
    while True:
        yield await queue.get()
