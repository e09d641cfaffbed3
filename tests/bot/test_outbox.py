"""The outbox worker: order per chat, retries, permanent failures, recovery after a crash."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.app import App
from bot.services.case_services import DbCaseServices
from bot.services.outbox import OutboxWorker, PermanentError, RetryLater, TransientError, Work
from bot.services.ratelimit import ChatBuckets
from db.models import FAILED, PENDING, SENDING, SENT, ChannelMessage, InboundEvent, OutboxItem
from db.outbox import DELETE, MESSAGE, Outbox
from db.repositories import Contacts, InboundLog
from tests.support import FakeClock


class ScriptedSender:
    """Answers with a scripted outcome per call; records what was sent."""

    def __init__(self, script: list[Exception | None]) -> None:
        self.script, self.sent = script, []

    async def send(self, work: Work) -> list[str]:
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        self.sent.append((work.chat_id, work.payload["n"]))
        return [f"{work.chat_id}-{work.payload['n']}"]


async def queue(
    app: App, clock: FakeClock, items: list[tuple[str, int]], anonymous: bool = False
) -> None:
    """Queue items for people (a contact each), or, anonymous, as after an erase."""
    async with app.conversations.sessions() as session, session.begin():
        for chat, n in items:
            contact = await Contacts(session).get_or_create("test", chat, chat, clock())
            contact_id = None if anonymous else contact.id
            Outbox(session).add("test", chat, contact_id, MESSAGE, {"n": n}, clock())


async def statuses(app: App) -> list[tuple[str, str]]:
    async with app.conversations.sessions() as session:
        rows = await session.scalars(select(OutboxItem).order_by(OutboxItem.id))
        return [(r.status, "empty" if r.payload is None else "full") for r in rows]


async def drain(worker: OutboxWorker) -> None:
    for _ in range(20):
        await worker.drain_once()
        if worker._tasks:
            await asyncio.gather(*list(worker._tasks))


def make_worker(app: App, sender, clock: FakeClock) -> OutboxWorker:
    buckets = ChatBuckets(1000, 1000, 1000)
    return OutboxWorker("test", app.conversations.sessions, sender, buckets, clock)


async def test_each_chat_keeps_its_order_and_sent_items_lose_their_content(app, clock) -> None:
    await queue(app, clock, [("a", 1), ("b", 1), ("a", 2), ("a", 3), ("b", 2)])
    sender = ScriptedSender([])
    await drain(make_worker(app, sender, clock))
    assert [n for chat, n in sender.sent if chat == "a"] == [1, 2, 3]
    assert [n for chat, n in sender.sent if chat == "b"] == [1, 2]
    assert await statuses(app) == [(SENT, "empty")] * 5


async def test_retry_after_and_server_errors_are_retried_later(app, clock) -> None:
    await queue(app, clock, [("a", 1), ("a", 2)])
    sender = ScriptedSender([RetryLater(30), TransientError("500")])
    worker = make_worker(app, sender, clock)
    await drain(worker)
    assert sender.sent == [] and (await statuses(app))[0] == (PENDING, "full")
    clock.advance(seconds=31)
    await drain(worker)
    assert sender.sent == [], "the 500 waits for its backoff"
    clock.advance(seconds=5)
    await drain(worker)
    assert sender.sent == [("a", 1), ("a", 2)]


async def test_a_permanent_error_is_recorded_once(app, clock) -> None:
    await queue(app, clock, [("a", 1), ("a", 2)])
    sender = ScriptedSender([PermanentError("Forbidden: bot was blocked by the user")])
    await drain(make_worker(app, sender, clock))
    assert await statuses(app) == [(FAILED, "empty"), (SENT, "empty")]


async def test_items_caught_mid_send_are_sent_again_after_a_crash(app, clock) -> None:
    await queue(app, clock, [("a", 1)])
    async with app.conversations.sessions() as session, session.begin():
        item = await session.scalar(select(OutboxItem))
        assert item is not None
        item.status = SENDING
    sender = ScriptedSender([])
    worker = make_worker(app, sender, clock)
    await worker.recover()
    await drain(worker)
    assert sender.sent == [("a", 1)]


async def test_items_after_an_erase_leave_no_row_once_sent(app, clock) -> None:
    await queue(app, clock, [("a", 1), ("a", 2)], anonymous=True)
    sender = ScriptedSender([None, PermanentError("Forbidden: bot was blocked by the user")])
    await drain(make_worker(app, sender, clock))
    assert sender.sent == [("a", 1)]
    assert await statuses(app) == []


def locked() -> OperationalError:
    return OperationalError("UPDATE outbox", {}, Exception("database is locked"))


async def test_a_failed_record_is_retried_not_the_send(app, clock, monkeypatch) -> None:
    await queue(app, clock, [("a", 1), ("a", 2)])
    sender = ScriptedSender([])
    worker = make_worker(app, sender, clock)
    record, failures = worker._record, []

    async def flaky(*args: object) -> None:
        if len(failures) < 2:
            failures.append(args)
            raise locked()
        await record(*args)

    monkeypatch.setattr(worker, "_record", flaky)
    await drain(worker)
    assert sender.sent == [("a", 1), ("a", 2)], "each item sent once, in order"
    assert len(failures) == 2
    assert await statuses(app) == [(SENT, "empty"), (SENT, "empty")]


async def test_the_worker_survives_a_database_error(app, clock, monkeypatch) -> None:
    await queue(app, clock, [("a", 1)])
    sender = ScriptedSender([])
    worker = make_worker(app, sender, clock)
    drain_once, failed = worker.drain_once, []

    async def flaky() -> float:
        if not failed:
            failed.append(True)
            raise locked()
        return await drain_once()

    monkeypatch.setattr(worker, "drain_once", flaky)
    task = asyncio.create_task(worker.run())
    for _ in range(300):
        if sender.sent:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert failed and sender.sent == [("a", 1)]


class ErasingSender:
    """Sends; while sending the second message, the person erases their data."""

    def __init__(self, app: App, clock: FakeClock, fail: Exception | None = None) -> None:
        self.app, self.clock, self.fail = app, clock, fail
        self.sent: list[object] = []
        self.deleted: list[str] = []

    async def send(self, work: Work) -> list[str]:
        if work.kind == DELETE:
            self.deleted += work.payload["message_ids"]
            return []
        if work.payload["n"] == 2:
            await self.erase(work.chat_id)
            if self.fail is not None:
                raise self.fail
        self.sent.append(work.payload["n"])
        return [f"{work.chat_id}-{work.payload['n']}"]

    async def erase(self, chat: str) -> None:
        """The real erase, as the flow runs it, in its own unit of work."""
        async with self.app.conversations.sessions() as session, session.begin():
            contact = await Contacts(session).find("test", chat)
            assert contact is not None
            files = self.app.conversations.files
            await DbCaseServices(session, contact, self.clock(), "HP", files).erase()


async def test_a_message_sent_while_its_person_erases_is_taken_back(app, clock) -> None:
    await queue(app, clock, [("a", 1), ("a", 2), ("a", 3)])
    sender = ErasingSender(app, clock)
    await drain(make_worker(app, sender, clock))
    assert sender.sent == [1, 2], "3 was still queued: forgotten by the erase"
    assert sender.deleted == ["a-1", "a-2"], "2 was on its way: deleted once it arrived"
    assert await statuses(app) == []
    async with app.conversations.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ChannelMessage)) == 0


async def test_a_message_that_failed_while_its_person_erased_is_not_retried(app, clock) -> None:
    await queue(app, clock, [("a", 1), ("a", 2)])
    sender = ErasingSender(app, clock, fail=TransientError("502"))
    worker = make_worker(app, sender, clock)
    await drain(worker)
    clock.advance(seconds=600)
    await drain(worker)
    assert sender.sent == [1] and sender.deleted == ["a-1"]
    assert await statuses(app) == []


async def test_housekeeping_forgets_update_ids_after_a_week(app, clock) -> None:
    async with app.conversations.sessions() as session, session.begin():
        assert await InboundLog(session).first_time("test", "old", clock())
    clock.advance(days=6)
    async with app.conversations.sessions() as session, session.begin():
        assert await InboundLog(session).first_time("test", "recent", clock())
    clock.advance(days=1, minutes=1)
    await make_worker(app, ScriptedSender([]), clock).prune()
    async with app.conversations.sessions() as session:
        left = await session.scalars(select(InboundEvent.external_id))
        assert list(left) == ["recent"]
