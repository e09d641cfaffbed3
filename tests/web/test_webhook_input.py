"""Malformed webhook bodies with the right secret, sent to a real `hotline serve` process."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.settings import Settings
from bot.web.app import SECRET_HEADER
from bot.web.webhook import MAX_BODY
from db.models import InboundEvent
from tests.fakes.telegram_server import FakeTelegram
from tests.support import free_port

SECRET = "webhook-test-secret"
CHAT = 700077


@asynccontextmanager
async def hotline_serve(settings: Settings, tg: FakeTelegram) -> AsyncIterator[tuple[str, list]]:
    """`python -m bot serve` with Telegram in webhook mode; yields its URL and its log lines."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")} | {
        "HOTLINE_DATABASE_URL": settings.db_url, "HOTLINE_VAR_DIR": str(settings.var_dir),
        "HOTLINE_SECRET_KEYS": settings.secret_keys.get_secret_value(),
        "HOTLINE_PORT": str(port), "HOTLINE_TELEGRAM_TOKEN": tg.token,
        "HOTLINE_TELEGRAM_API_BASE": tg.base_url, "HOTLINE_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "HOTLINE_TELEGRAM_WEBHOOK_URL": f"{url}/webhooks/telegram",
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    log: list[str] = []

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            log.append(line.decode(errors="replace"))

    reader = asyncio.create_task(read())
    try:
        async with asyncio.timeout(120):
            while not any("serving on" in line for line in log):
                assert process.returncode is None, "".join(log)
                await asyncio.sleep(0.2)
        yield url, log
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(30):
                await process.wait()
        await reader


async def post(url: str, body: bytes | object, **headers: str) -> int:
    """POST with the right secret; a generator body goes chunked, with no Content-Length."""
    async with aiohttp.ClientSession() as session, session.post(
        url + "/webhooks/telegram", data=io.BytesIO(body) if isinstance(body, bytes) else body,
        headers={SECRET_HEADER: SECRET, "Content-Type": "application/json", **headers},
    ) as response:  # fmt: skip
        return response.status


async def chunks(size: int) -> AsyncIterator[bytes]:
    """A JSON string body of `size` bytes, sent in pieces."""
    yield b'{"update_id": 1, "message": "'
    for _ in range(size // 65536):
        yield b"x" * 65536
    yield b'"}'


async def inbound_events(settings: Settings) -> int:
    engine = create_async_engine(settings.db_url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            return int((await conn.scalar(select(func.count()).select_from(InboundEvent))) or 0)
    finally:
        await engine.dispose()


async def test_malformed_updates_are_refused_and_nothing_is_stored(settings: Settings) -> None:
    deep = b'{"update_id": 2, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    big = b'{"update_id": 3, "message": "' + b"x" * (MAX_BODY + 1) + b'"}'
    async with FakeTelegram() as tg, hotline_serve(settings, tg) as (url, log):
        assert await post(url, b'{"update_id": 1, "message": {"foo": 1}}') == 400
        assert await post(url, b'{"update_id": 1, "message": {"message_id": "x"}}') == 400
        assert await post(url, b'{"update_id": 1, "edited_message": [1, 2]}') == 400
        assert await post(url, deep) == 400
        assert await post(url, b"[" * 5000 + b"]" * 5000) == 400
        assert await post(url, big) == 413
        assert await post(url, chunks(3 * MAX_BODY)) == 413
        assert await post(url, b"\xff\xfe not json") == 400
        assert await inbound_events(settings) == 0

        assert await post(url, b'{"update_id": 1, "message": {"foo": 1}}', **{
            SECRET_HEADER: "wrong"}) == 401  # fmt: skip
        tg.user_sends(CHAT, "/start")  # the fake posts it to the webhook, as Telegram would
        for _ in range(300):
            if tg.texts(CHAT):
                break
            await asyncio.sleep(0.1)
        assert tg.texts(CHAT), "".join(log)
        assert "Xin chào" in tg.texts(CHAT)[0], "the process still answers a real update"
        assert await inbound_events(settings) == 1
    everything = "".join(log)
    assert "Traceback" not in everything, everything
    assert everything.count("webhook update refused") == 8
