"""Two `hotline serve` processes on one PostgreSQL: a console in one, Telegram in the other.

Process A serves only the web app (the console); process B runs the Telegram channel with
its webhook. A reply typed in A's console reaches the person through B's sender, and the
person's answer, handled by B, appears in A's live view: the change crosses by NOTIFY.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.app import build_app
from bot.services.conversation import utcnow
from bot.settings import Settings
from db.models import HandoffRequest
from tests.fakes.telegram_server import FakeTelegram
from tests.processes import hotline_serve
from tests.web.console_support import account, login, post_form

CHAT = 515_151


async def until(done: Callable[[], bool], timeout: float = 30) -> None:  # noqa: ASYNC109
    """Poll a condition on what this test gathers (the fake server's wait_for cannot see it)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def live_events(http: httpx.AsyncClient, url: str, out: list[dict[str, str]]) -> None:
    """Read a server-sent event stream into out: {"event": name, **data}."""
    async with http.stream("GET", url, timeout=None) as response:
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
                if event == "ready":
                    out.append({"event": "ready"})
            elif line.startswith("data:") and event != "ready":
                out.append({"event": event, **json.loads(line.split(":", 1)[1])})


async def test_a_console_in_one_process_and_telegram_in_the_other(
    pg_settings: Settings, tmp_path: Path
) -> None:
    app = await build_app(pg_settings, utcnow)  # migrates; creates the account
    try:
        await account(app, "lan")
        async with (
            FakeTelegram() as tg,
            hotline_serve(pg_settings, tmp_path / "b", tg),
            hotline_serve(pg_settings, tmp_path / "a") as console,
            httpx.AsyncClient(base_url=console.base_url, timeout=30) as http,
        ):
            tg.user_sends(CHAT, "cứu tôi với, họ nhốt tôi")  # handled by B: an urgent case
            await tg.wait_for(lambda: tg.texts(CHAT), timeout=30)
            async with app.conversations.sessions() as session:
                case = await session.scalar(select(HandoffRequest))
            assert case is not None and case.priority == "urgent"

            assert (await login(http, "lan")).status_code in (200, 303)
            page = f"/console/cases/{case.id}"
            claimed = await post_form(http, page, f"{page}/claim")
            assert claimed.status_code in (200, 303)
            await tg.wait_for(lambda: any("Mã xác minh" in t for t in tg.texts(CHAT)), 30)

            events: list[dict[str, str]] = []
            stream = asyncio.create_task(live_events(http, f"/console/live?case={case.id}", events))
            await until(lambda: bool(events))  # the stream is open

            start = time.monotonic()
            replied = await post_form(http, page, f"{page}/reply", body="Chào bạn, mình là Lan.")
            assert replied.status_code in (200, 303)
            await tg.wait_for(lambda: "Cán bộ: Chào bạn, mình là Lan." in tg.texts(CHAT), 30)
            reply_seconds = time.monotonic() - start

            start = time.monotonic()
            tg.user_sends(CHAT, "Em đang ở nhà nghỉ gần bến xe")  # to B's webhook
            await until(
                lambda: any("Em đang ở nhà nghỉ gần bến xe" in e.get("html", "") for e in events)
            )
            live_seconds = time.monotonic() - start
            stream.cancel()
            print(f"\nA's console -> B's sender: {reply_seconds:.2f} s; "
                  f"B's webhook -> A's live view: {live_seconds:.2f} s")  # fmt: skip
    finally:
        await app.close()
