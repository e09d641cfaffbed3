"""Token buckets, so sending keeps a channel's rate limits without sleeping in tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """`rate` tokens a second, bursts up to `capacity`; `wait()` says how long until one."""

    rate: float
    capacity: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(default=-1.0)
    stamp: float = field(default=0.0)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity
        self.stamp = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        """Seconds until a token is free (0 when one is free now)."""
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Use one token; call only when wait() is 0."""
        self._refill()
        self.tokens -= 1


class ChatBuckets:
    """One overall bucket and one per chat (Telegram: ~30/s overall, ~1/s per chat)."""

    def __init__(
        self,
        overall: float,
        per_chat: float,
        burst: float = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock, self.per_chat, self.burst = clock, per_chat, burst
        self.overall = TokenBucket(overall, overall, clock)
        self.chats: dict[str, TokenBucket] = {}

    def chat(self, chat_id: str) -> TokenBucket:
        """The bucket of one chat, created full; idle full buckets are dropped."""
        bucket = self.chats.get(chat_id)
        if bucket is None:
            if len(self.chats) > 10_000:
                self.chats = {k: b for k, b in self.chats.items() if b.wait() > 0}
            bucket = self.chats[chat_id] = TokenBucket(self.per_chat, self.burst, self.clock)
        return bucket

    def wait(self, chat_id: str) -> float:
        """Seconds before a message to chat_id may go."""
        return max(self.overall.wait(), self.chat(chat_id).wait())

    def take(self, chat_id: str) -> None:
        """Count one message to chat_id."""
        self.overall.take()
        self.chat(chat_id).take()
