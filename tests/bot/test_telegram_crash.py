"""Fault test: `hotline serve` killed with SIGKILL while replies wait in the outbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_server import FakeTelegram
from tests.support import free_port

CHAT = 700003


async def start_serve(tg: FakeTelegram, var: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env |= {
        "HOTLINE_VAR_DIR": str(var),
        "HOTLINE_PORT": str(free_port()),
        "HOTLINE_TELEGRAM_TOKEN": tg.token,
        "HOTLINE_TELEGRAM_API_BASE": tg.base_url,
    }
    before = len(tg.calls_of("getUpdates"))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", env=env, cwd=var.parent,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await tg.wait_for(lambda: len(tg.calls_of("getUpdates")) > before, timeout=60)
    return proc


NAME, OTHER_NAMES, SEX = "Họ và tên của bạn", "Bạn có dùng tên khác", "Giới tính của bạn"


def shown(tg: FakeTelegram, fragment: str) -> int:
    """How many messages in the chat contain fragment."""
    return sum(fragment in text for text in tg.texts(CHAT))


async def step(tg: FakeTelegram, act, expect: str) -> None:
    act()
    await tg.wait_for(lambda: shown(tg, expect), timeout=30)


async def test_sigkill_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    var = tmp_path / "var"
    async with FakeTelegram() as tg:
        first = await start_serve(tg, var)
        try:
            await step(tg, lambda: tg.user_sends(CHAT, "/start"), "Xin chào")
            await step(tg, lambda: tg.user_presses(CHAT, "Tiếng Việt"), "Bạn muốn làm gì")
            await step(tg, lambda: tg.user_presses(CHAT, "Khai báo"), "Việc 1 –")
            await step(tg, lambda: tg.user_presses(CHAT, "Đồng ý"), "Việc 2 –")
            await step(tg, lambda: tg.user_presses(CHAT, "Đồng ý"), "Việc 3 –")
            await step(tg, lambda: tg.user_presses(CHAT, "Đồng ý"), "Bạn khai cho chính mình")
            await step(tg, lambda: tg.user_presses(CHAT, "Khai cho chính tôi"), NAME)

            tg.fail_next("sendMessage", times=1, status=429, retry_after=3)
            tg.user_sends(CHAT, "Lý Thị Khởi Động Lại")
            await tg.wait_for(lambda: ("sendMessage", 429) in tg.injected, timeout=30)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        assert shown(tg, OTHER_NAMES) == 0, "the reply was waiting in the outbox when killed"

        second = await start_serve(tg, var)
        try:
            await tg.wait_for(lambda: shown(tg, OTHER_NAMES), timeout=30)
            await step(tg, lambda: tg.user_presses(CHAT, "Bỏ qua"), SEX)
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), timeout=30)

    for fragment in ("Việc 1 –", NAME, OTHER_NAMES, SEX):
        assert shown(tg, fragment) == 1, fragment
    texts = tg.texts(CHAT)
    assert len(texts) == len(set(texts)), "no message was sent twice"
