# ruff: noqa: E402
"""Telegram channel: the hotline bot against a bare aiogram echo bot, on the same fake server.

`python bench/telegram_throughput.py --users 200 --conversations 10000`; bench/README.md
says what is measured and how. Each bot runs in a child process, so its RSS is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FAST = "1000,1000,1000"  # messages a second overall, per chat, burst: limits out of the way
PRODUCTION = ""  # no override: TelegramRuntime's defaults, 30/s overall, 1/s per chat, burst 3


async def echo_bot() -> None:
    """The baseline: a bare Dispatcher and Router answering each update with one message."""
    from aiogram import Bot, Dispatcher, Router
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, Message

    api = TelegramAPIServer.from_base(os.environ["HOTLINE_TELEGRAM_API_BASE"])
    bot = Bot(os.environ["HOTLINE_TELEGRAM_TOKEN"], session=AiohttpSession(api=api))
    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        await message.answer("echo")

    @router.callback_query()
    async def on_button(query: CallbackQuery) -> None:
        await bot.send_message(query.from_user.id, "echo")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    await bot.delete_webhook()
    await dispatcher.start_polling(bot, allowed_updates=["message", "callback_query"])


def run_child(kind: str, rates: str) -> None:
    """A bot process: the echo bot, or `hotline serve` with the send rates overridden."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if kind == "echo":
        return asyncio.run(echo_bot())
    import bot.serve
    from bot.settings import Settings

    if rates:
        limits = tuple(float(r) for r in rates.split(","))
        runtime = functools.partial(bot.serve.TelegramRuntime, rates=limits)
        bot.serve.TelegramRuntime = runtime  # type: ignore[misc]
    asyncio.run(bot.serve.serve(Settings()))


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    # A bot process stops here, so its RSS holds none of the fake server's code.
    run_child(sys.argv[2], sys.argv[3])
    sys.exit(0)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.app import build_app
from bot.settings import Settings
from tests.fakes.telegram_server import FakeTelegram
from tests.support import Transcript

SENDS = frozenset({"sendMessage", "sendDocument"})
FIRST_CHAT = 800_000
PATIENCE = 60.0  # seconds a person waits for an answer before the update counts as lost
GIVE_UP = 10  # lost updates after which no more people start: the bot no longer answers
LOG_ERRORS = ("database is locked", "Cause exception while process update", "failed unexpectedly")
Step = tuple[str, Any, int, str]  # kind, text | label | (lat, lon), messages, last message text
OPENING = [("say", "/start"), ("press", "Tiếng Việt"), ("press", "Khai báo")]
OPENING += [("press", "Đồng ý")] * 3 + [("press", "Khai cho chính tôi")]
ANSWERS = [("say", "Nguyễn Thị Điện Tín"), ("press", "Bỏ qua"), ("press", "Nữ"), ("say", "1998")]
ANSWERS += [("press", "Kinh"), ("press", "Việt Nam"), ("press", "Không có giấy tờ")]
ANSWERS += [("locate", (20.7, 106.6)), ("press", "Nhắn tin ở đây")]


class TimedTelegram(FakeTelegram):
    """The fake, noting when getUpdates hands out each update and what each chat receives."""

    def __init__(self) -> None:
        super().__init__()
        self.served: dict[int, float] = {}
        self.replies: defaultdict[int, list[tuple[float, str]]] = defaultdict(list)
        self.waiting: dict[int, tuple[str, asyncio.Future[None]]] = {}

    def _record(self, name: str, params: dict[str, Any]) -> None:
        super()._record(name, params)
        if name in SENDS and isinstance(chat := params.get("chat_id"), int):
            text = str(params.get("text") or "")
            self.replies[chat].append((self.calls[-1].at, text))
            wanted, future = self.waiting.get(chat, ("", None))
            if future and text == wanted and not future.done():
                future.set_result(None)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        updates = await super()._get_updates(params)
        now = time.monotonic()
        for update in updates:
            self.served.setdefault(update["update_id"], now)
        return updates

    async def shows(self, chat: int, start: int, text: str) -> bool:
        """Wait until the chat gets text after its first start messages; False on timeout."""
        if any(t == text for _, t in self.replies[chat][start:]):
            return True
        self.waiting[chat] = (text, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait_for(self.waiting[chat][1], PATIENCE)
            return True
        except TimeoutError:
            return False
        finally:
            del self.waiting[chat]


async def make_plan(var: Path) -> list[Step]:
    """Walk the declaration once in-process: each action, its replies, the last one's text."""
    key = SecretStr(Fernet.generate_key().decode())
    app = await build_app(Settings(var_dir=var, secret_keys=key, _env_file=None))  # type: ignore[call-arg]
    chat, plan = Transcript(app, chat="plan", lang_hint="vi"), []
    for kind, arg in [*OPENING, *ANSWERS, *[("press", None)] * 99]:
        if arg is None:  # skip the rest of the questions, until the review
            skip = "An toàn, làm tiếp" if "An toàn, làm tiếp" in chat.labels else "Bỏ qua"
            arg = "Hoàn tất và lưu" if "Hoàn tất và lưu" in chat.labels else skip
        if kind == "say":
            replies = await (chat.command(arg) if arg.startswith("/") else chat.send(arg))
        else:
            replies = await (chat.click(arg) if kind == "press" else chat.location(*arg))
        count = len(replies) + sum(bool(r.document) for r in replies)
        plan.append((kind, arg, count, replies[-1].text))
        if arg == "Hoàn tất và lưu":
            break
    await app.close()
    assert "Đã lưu bản khai" in chat.replies[0].text, f"the walk did not submit: {chat.text}"
    return plan


@dataclass
class Result:
    """What one scenario measured; RSS in MB."""

    name: str
    users: int
    seconds: float = 0.0
    end: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    expected: int = 0
    lost: int = 0
    skipped: int = 0
    rss: tuple[float, float, float] = (0.0, 0.0, 0.0)  # at the start, at the end, peak
    log: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        """Updates answered per second of wall time."""
        return len(self.latencies) / max(self.seconds, 1e-9)

    def ms(self, percent: int) -> float:
        """A latency percentile in milliseconds."""
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1] * 1e3


async def walk(tg: TimedTelegram, chat: int, plan: list[Step], echo: bool, out: Result) -> None:
    """One person: act, wait for the bot's whole answer, act again; note each latency."""
    for kind, arg, replies, last in plan:
        before = len(tg.replies[chat])
        if kind == "say":
            update = tg.user_sends(chat, arg)
        elif kind == "locate":
            update = tg.user_shares_location(chat, *arg)
        elif echo:  # the echo shows no buttons: press one on its newest message
            update = tg.user_presses_data(chat, "echo", tg.sent(chat)[-1]["message_id"])
        else:
            update = tg.user_presses(chat, arg)
        if not await tg.shows(chat, before, "echo" if echo else last):
            out.lost += 1  # never answered: this person is stuck
            return
        out.expected += 1 if echo else replies
        out.latencies.append(tg.replies[chat][before][0] - tg.served[update["update_id"]])
        out.end = time.monotonic()


def clone(db: Path, template: int, chats: range, secret_key: str) -> None:
    """Copy one chat's contact, conversation state and consents to many new chats.

    Written as the app writes them: found by keyed hash (db.lookup), chat ids encrypted.
    """
    from db.lookup import chat_key, configure_lookup_key

    fernet = Fernet(secret_key.encode())
    with sqlite3.connect(db, timeout=60) as conn:
        [token] = conn.execute("SELECT secret FROM keyring WHERE name = 'chat_lookup'").fetchone()
        configure_lookup_key(fernet.decrypt(token.encode()))
        conn.execute("CREATE TEMP TABLE new(chat_key TEXT, chat TEXT)")
        conn.executemany(
            "INSERT INTO new VALUES (?, ?)",
            [(chat_key("telegram", str(c)), fernet.encrypt(str(c).encode()).decode())
             for c in chats],
        )  # fmt: skip
        t = f"(SELECT id FROM contacts WHERE chat_key = '{chat_key('telegram', str(template))}')"
        cols = "locale, source, urgent, created_at, last_seen_at"
        conn.execute(
            f"INSERT INTO contacts (channel, chat_key, chat_id, user_id, {cols})"
            f" SELECT channel, new.chat_key, chat, chat, {cols} FROM contacts, new WHERE id = {t}"
        )
        for table, cols in [("conversation_states", "state, updated_at"),
                            ("consents", "purpose, granted, recorded_at")]:  # fmt: skip
            conn.execute(
                f"INSERT INTO {table} (contact_id, {cols}) SELECT c.id, {cols} FROM {table} JOIN"
                f" contacts c ON c.chat_key IN (SELECT chat_key FROM new) WHERE contact_id = {t}"
            )


def usage(pid: int) -> tuple[float, float, float]:
    """A process's resident set now and at its peak (its ru_maxrss), in MB; its CPU seconds."""
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    rss, peak = (int(status[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))
    return rss, peak, (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


@asynccontextmanager
async def bot_process(
    tg: TimedTelegram, kind: str, var: Path, rates: str, secret_key: str
) -> AsyncIterator[int]:
    """Start a bot in a child process, pointed at the fake; yield its pid; stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env |= {
        "HOTLINE_VAR_DIR": str(var),
        "HOTLINE_PORT": "0",  # the web app of `hotline serve`, on any free port
        "HOTLINE_SECRET_KEYS": secret_key,
        "HOTLINE_TELEGRAM_TOKEN": tg.token,
        "HOTLINE_TELEGRAM_API_BASE": tg.base_url,
    }
    log = os.open(var.parent / "bot.log", os.O_WRONLY | os.O_CREAT, 0o600)
    command = (sys.executable, __file__, "--child", kind, rates)
    proc = await asyncio.create_subprocess_exec(*command, env=env, stdout=log, stderr=log)
    os.close(log)
    try:
        await tg.wait_for(lambda: tg.calls_of("getUpdates"), timeout=120)
        yield proc.pid
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 60)


async def scenario(
    name: str, kind: str, rates: str, users: int, plan: list[Step], tmp: Path,
    at_once: int = 0, seed: list[Step] | None = None,
) -> Result:  # fmt: skip
    """N people walk the plan, at_once at a time; a seed walked once is copied to all chats."""
    var = Path(tempfile.mkdtemp(dir=tmp)) / "var"
    var.mkdir()
    result = Result(name, users)
    secret_key = Fernet.generate_key().decode()
    async with TimedTelegram() as tg, bot_process(tg, kind, var, rates, secret_key) as pid:
        if seed:
            await walk(tg, FIRST_CHAT, seed, False, Result("seed", 1))
            result.expected = len(tg.replies[FIRST_CHAT])
            chats = range(FIRST_CHAT + 1, FIRST_CHAT + users)
            clone(var / "hotline.sqlite3", FIRST_CHAT, chats, secret_key)
        before = usage(pid)[0]
        gate = asyncio.Semaphore(at_once or users)

        async def person(chat: int) -> None:
            async with gate:
                if result.lost >= GIVE_UP:  # the bot has stopped answering
                    result.skipped += 1
                    return
                await walk(tg, chat, plan, kind == "echo", result)

        start, cpu = time.monotonic(), usage(pid)[2]
        await asyncio.gather(*(person(FIRST_CHAT + i) for i in range(users)))
        result.seconds = result.end - start  # until the last answer, not the last timeout
        rss, peak, result.cpu = usage(pid)
        result.rss, result.cpu = (before, rss, peak), result.cpu - cpu
        sent = sum(len(tg.replies[FIRST_CHAT + i]) for i in range(users))
    text = (var.parent / "bot.log").read_text(errors="replace")
    result.log = Counter({e: text.count(e) for e in LOG_ERRORS if e in text})
    result.log["duplicate messages"] = max(0, sent - result.expected)
    print(f"  {name}: {len(result.latencies)} updates in {result.seconds:.1f}s", flush=True)
    return result


def report(results: list[Result], echo: Result | None, product: Result | None) -> None:
    """The table of figures, what went wrong, then the targets."""
    verdict = ("MISS", "PASS")
    heads = ["users", "answered", "lost", "skipped", "upd/s", "p50 ms", "p99 ms", "CPU/upd"]
    print(f"\n{'scenario':39}" + "".join(f"{h:>10}" for h in [*heads, "RSS start", "end", "peak"]))
    for r in results:
        cpu = f"{r.cpu / max(1, len(r.latencies)) * 1e3:.1f}ms"
        cells = [r.users, len(r.latencies), r.lost, r.skipped, f"{r.rate:.1f}", f"{r.ms(50):.1f}"]
        cells += [f"{r.ms(99):.1f}", cpu, *(f"{mb:.0f}MB" for mb in r.rss)]
        print(f"{r.name:39}" + "".join(f"{c:>10}" for c in cells))
    print("\nbot logs (error lines) and duplicate messages sent")
    for r in results:
        print(f"  {r.name:40} {dict(+r.log) or 'clean'}")
    print("\ntargets")
    if echo and product:
        ratio, p99 = product.rate / echo.rate, product.ms(99)
        print(f"  throughput product/echo  {ratio:7.2f}    (>= 0.5) {verdict[ratio >= 0.5]}")
        print(f"  p50 product/echo         {product.ms(50) / echo.ms(50):7.1f}")
        print(f"  p99 product/echo         {p99 / echo.ms(99):7.1f}")
        print(f"  p99, {product.users:4} users        {p99:7.1f} ms (< 100) {verdict[p99 < 100]}")
    if memory := next((r for r in results if "conversations" in r.name), None):
        acted = memory.users - memory.skipped
        peak, per = memory.rss[2], (memory.rss[1] - memory.rss[0]) * 1024 / acted
        print(f"  peak RSS, {memory.users} conv. {peak:7.1f} MB (< 200) {verdict[peak < 200]}")
        print(f"  RSS growth per conversation that acted {per:6.1f} KB ({acted} acted)")


async def main(args: argparse.Namespace) -> None:
    """Plan once, then run each scenario with its own fake server and bot process."""
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as name:
        tmp = Path(name)
        plan = await make_plan(tmp / "plan")
        print(f"plan: {len(plan)} actions, {sum(p[2] for p in plan)} bot messages per person")
        results: list[Result] = []
        echo = product = None
        if args.users:
            echo = await scenario("echo bot (bare aiogram)", "echo", "", args.users, plan, tmp)
            name = f"hotline, rates {FAST}"
            product = await scenario(name, "product", FAST, args.users, plan, tmp)
            results += [echo, product]
        if users := args.limited_users:
            name = "hotline, production rates 30/s, 1/s, 3"
            results.append(await scenario(name, "product", PRODUCTION, users, plan, tmp))
        if n := args.conversations:  # all at the name question, then each types a name
            seed, step = plan[: len(OPENING)], plan[len(OPENING) : len(OPENING) + 1]
            name = f"hotline, {n} conversations"
            results.append(await scenario(name, "product", FAST, n, step, tmp, args.at_once, seed))
        report(results, echo, product)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="people walking the whole flow")
    parser.add_argument("--limited-users", type=int, default=20, help="the same, production rates")
    parser.add_argument("--conversations", type=int, default=10_000, help="for the memory run")
    parser.add_argument("--at-once", type=int, default=10, help="memory run: acting together")
    asyncio.run(main(parser.parse_args()))
