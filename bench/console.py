"""Console live view: 50 caseworkers watch their inbox while 200 people write.

`python bench/console.py [--people 200] [--caseworkers 50]`. `hotline serve` runs in a child
process (embedded SQLite, Telegram pointed at the fake server in this process). Measured:
- a person's message → its case row in the assigned caseworker's live view (server-sent
  events), against the baseline of the same message being committed (its update id appearing
  in inbound_events, polled every 2 ms);
- a caseworker's reply → sendMessage at the fake Telegram server, against the baseline of the
  reply being committed (the reply form's response).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.app import build_app
from bot.settings import Settings
from db.accounts import Accounts
from tests.fakes.telegram_server import FakeTelegram
from tests.support import free_port

PASSWORD = "mật-khẩu-thử-nghiệm-dài"
FIRST_CHAT = 700_000
FIELD = re.compile(r'name="(csrf_token|nonce)" value="([^"]+)"')


@dataclass
class Watcher:
    """One caseworker's browser: a session and the case events its live view received."""

    name: str
    client: httpx.AsyncClient
    cases: list[int] = field(default_factory=list)
    seen: defaultdict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    async def form(self, case_id: int, action: str) -> dict[str, str]:
        """The hidden fields of one of the case page's forms (its CSRF token and nonce)."""
        page = (await self.client.get(f"/console/cases/{case_id}")).text
        start = page.index(f'action="/console/cases/{case_id}/{action}"')
        return dict(FIELD.findall(page[start : page.index("</form>", start)]))

    async def listen(self) -> None:
        """Hold the live view open; note when each case event arrives."""
        async with self.client.stream("GET", "/console/live?view=mine", timeout=None) as response:
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                    if event == "ready":
                        self.ready.set()
                elif line.startswith("data:") and event == "case":
                    case_id = json.loads(line.split(":", 1)[1])["id"]
                    self.seen[int(case_id)].append(time.monotonic())


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile in milliseconds (nearest rank)."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(name: str, values: list[float]) -> str:
    """One row of the report."""
    return (f"{name:<44} n={len(values):<4} p50 {percentile(values, 50):8.1f} ms   "
            f"p99 {percentile(values, 99):8.1f} ms")  # fmt: skip


async def accounts(settings: Settings, count: int) -> None:
    """Create the database and the caseworkers before the server starts."""
    app = await build_app(settings)
    try:
        async with app.conversations.sessions() as session, session.begin():
            for i in range(count):
                await Accounts(session).add_caseworker(
                    f"cb{i:02d}", PASSWORD, "caseworker", "city", "vi",
                    app.conversations.clock(),
                )  # fmt: skip
    finally:
        await app.close()


async def committed(
    db: Path, wanted: dict[str, float], out: dict[str, float], expected: int
) -> None:
    """Poll inbound_events: when did each update become visible to other connections."""
    conn = sqlite3.connect(db, timeout=30)
    try:
        while len(out) < expected:
            pending = [k for k in wanted if k not in out]
            marks = ",".join("?" * len(pending))
            rows = conn.execute(
                f"SELECT external_id FROM inbound_events WHERE external_id IN ({marks})", pending
            ).fetchall()
            now = time.monotonic()
            for (key,) in rows:
                out[key] = now
            await asyncio.sleep(0.002)
    finally:
        conn.close()


async def main(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-console-"))
    var, port, key = tmp / "var", free_port(), Fernet.generate_key().decode()
    var.mkdir()
    async with FakeTelegram() as tg:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        env |= {
            "HOTLINE_VAR_DIR": str(var), "HOTLINE_PORT": str(port),
            "HOTLINE_SECRET_KEYS": key, "HOTLINE_TELEGRAM_TOKEN": tg.token,
            "HOTLINE_TELEGRAM_API_BASE": tg.base_url,
        }  # fmt: skip
        settings = Settings(var_dir=var, secret_keys=SecretStr(key), _env_file=None)  # type: ignore[call-arg]
        await accounts(settings, args.caseworkers)
        log = os.open(tmp / "serve.log", os.O_WRONLY | os.O_CREAT, 0o600)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", env=env, stdout=log, stderr=log
        )
        os.close(log)
        try:
            await run(args, tg, var, port)
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 60)
    print(f"(server log: {tmp / 'serve.log'})")


async def run(args: argparse.Namespace, tg: FakeTelegram, var: Path, port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    await tg.wait_for(lambda: tg.calls_of("getUpdates"), timeout=120)
    chats = [FIRST_CHAT + i for i in range(args.people)]
    for chat in chats:  # one at a time, so case i is chat i's: the console shows no chat ids
        tg.user_sends(chat, "cứu tôi với")
        await tg.wait_for(lambda c=chat: tg.sent(c), timeout=60)
    case_of = {chat: i + 1 for i, chat in enumerate(chats)}

    watchers = []
    for i in range(args.caseworkers):
        client = httpx.AsyncClient(base_url=base, timeout=60)
        page = (await client.get("/console/login")).text
        token = dict(FIELD.findall(page))["csrf_token"]
        form = {"username": f"cb{i:02d}", "password": PASSWORD, "csrf_token": token,
                "next": "/console"}  # fmt: skip
        response = await client.post("/console/login", data=form)
        assert response.status_code in (200, 303), response.status_code
        watchers.append(Watcher(f"cb{i:02d}", client))
    owner: dict[int, Watcher] = {}
    for n, chat in enumerate(chats):
        watcher = watchers[n % len(watchers)]
        case_id = case_of[chat]
        response = await watcher.client.post(
            f"/console/cases/{case_id}/claim", data=await watcher.form(case_id, "claim")
        )
        assert response.status_code in (200, 303), (response.status_code, response.text[:200])
        watcher.cases.append(case_id)
        owner[case_id] = watcher
    await tg.wait_for(lambda: all(len(tg.sent(c)) >= 2 for c in chats), timeout=120)
    tasks = [asyncio.create_task(w.listen()) for w in watchers]
    await asyncio.wait_for(asyncio.gather(*(w.ready.wait() for w in watchers)), 60)

    bot_id = tg.token.split(":")[0]
    posted: dict[str, float] = {}
    commit_at: dict[str, float] = {}
    poller = asyncio.create_task(committed(var / "hotline.sqlite3", posted, commit_at, len(chats)))
    sent_for: dict[int, str] = {}
    for chat in chats:  # people write at a steady pace, the way a busy evening looks
        update = tg.user_sends(chat, f"Tin nhắn của người {chat - FIRST_CHAT}")
        external = f"u:{bot_id}:{update['update_id']}"
        posted[external] = time.monotonic()
        sent_for[case_of[chat]] = external
        await asyncio.sleep(1 / args.rate)
    await asyncio.wait_for(poller, 120)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(  # noqa: ASYNC110 - gathered by other tasks
        any(t >= posted[sent_for[c]] for t in owner[c].seen[c]) for c in sent_for
    ):
        await asyncio.sleep(0.05)
    live, commit = [], []
    for case_id, external in sent_for.items():
        start = posted[external]
        arrivals = [t for t in owner[case_id].seen[case_id] if t >= start]
        commit.append(commit_at[external] - start)
        if arrivals:
            live.append(arrivals[0] - start)
    missing = len(sent_for) - len(live)

    replies, reply_commit = [], []

    async def reply(watcher: Watcher, case_id: int, chat: int) -> None:
        body = f"Chào bạn, {watcher.name} đây ({case_id})."
        form = await watcher.form(case_id, "reply") | {"body": body}
        start = time.monotonic()
        response = await watcher.client.post(f"/console/cases/{case_id}/reply", data=form)
        reply_commit.append(time.monotonic() - start)
        assert response.status_code in (200, 303), response.status_code
        await tg.wait_for(lambda: any(body in t for t in tg.texts(chat)), timeout=60)
        replies.append(time.monotonic() - start)

    chat_of = {case: chat for chat, case in case_of.items()}
    await asyncio.gather(*(reply(w, w.cases[0], chat_of[w.cases[0]]) for w in watchers))
    for task in tasks:
        task.cancel()
    for watcher in watchers:
        await watcher.client.aclose()

    print(f"{args.people} people, {args.caseworkers} caseworkers each holding a live view "
          f"(view=mine), people writing {args.rate}/s; `hotline serve` on SQLite")  # fmt: skip
    print(line("baseline: message committed", commit))
    print(line("message -> caseworker's live view", live))
    if missing:
        print(f"  {missing} messages never reached the live view within 60 s")
    ratio = statistics.median(live) / statistics.median(commit)
    print(f"  live view / commit, medians: {ratio:.1f}x")
    print(line("baseline: reply committed (form answered)", reply_commit))
    print(line("reply -> sendMessage at the fake Telegram", replies))
    ratio = statistics.median(replies) / statistics.median(reply_commit)
    print(f"  sent / committed, medians: {ratio:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--caseworkers", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="messages a second")
    asyncio.run(main(parser.parse_args()))
