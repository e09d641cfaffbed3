"""What every console route shares: the app, the session signer, the login limiter, texts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from itsdangerous import URLSafeTimedSerializer
from jinja2 import Environment, PackageLoader
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from bot.app import App
from db.accounts import load_session_key
from dialogs.i18n import Catalogs

templates = Environment(
    loader=PackageLoader("bot.web", "templates"), autoescape=True, trim_blocks=True,
    lstrip_blocks=True,
)  # fmt: skip


@dataclass
class Console:
    """Built once per web app (bot.web.console.install) and kept in web.state.console."""

    app: App
    catalogs: Catalogs = field(default_factory=Catalogs)
    limiter: MovingWindowRateLimiter = field(
        default_factory=lambda: MovingWindowRateLimiter(MemoryStorage())
    )

    _key: bytes | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    snapshots: dict[int, Any] = field(default_factory=dict)
    """Per change, the one read of its case that every live inbox of this process shares."""

    async def key(self) -> bytes:
        """The database's console secret, read (or made) on first use: every process agrees."""
        if self._key is None:
            async with self._lock:
                if self._key is None:
                    now = self.app.conversations.clock()
                    self._key = await load_session_key(self.app.conversations.sessions, now)
        return self._key

    async def signer(self) -> URLSafeTimedSerializer:
        """Signs the session cookie (see auth.py for why a signed cookie)."""
        return URLSafeTimedSerializer(await self.key(), salt="hotline.console.session")

    @property
    def per_account(self):  # type: ignore[no-untyped-def]
        """Login attempts allowed per account name."""
        return parse(self.app.settings.console_login_limit)

    @property
    def per_address(self):  # type: ignore[no-untyped-def]
        """Per address: six accounts' worth, so one office behind one address can still work."""
        item = parse(self.app.settings.console_login_limit)
        return type(item)(item.amount * 6, item.multiples)


def console_of(request: Request) -> Console:
    """The console state of the web app serving this request."""
    console: Console = request.app.state.console
    return console
