"""The outbox under leases: outcomes only while the lease is ours; messages follow delivery."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.app import App
from bot.services.outbox import PermanentError, Work
from db.models import FAILED, SENDING, SENT, Message, OutboxItem
from db.outbox import MESSAGE, Outbox
from db.repositories import Contacts
from tests.bot.test_outbox import ScriptedSender, drain, make_worker
from tests.support import FakeClock


async def queue_linked(app: App, clock: FakeClock, chat: str, count: int) -> None:
    """Outbox items with the conversation messages that show them (as a caseworker's replies)."""
    async with app.conversations.sessions() as session, session.begin():
        contact = await Contacts(session).get_or_create("test", chat, chat, clock())
        for n in range(count):
            item = Outbox(session).add("test", chat, contact.id, MESSAGE, {"n": n}, clock())
            await session.flush()
            session.add(
                Message(
                    contact_id=contact.id, direction="out", body=f"reply {n}",
                    created_at=clock(), outbox_id=item.id, delivery="queued",
                )
            )  # fmt: skip


async def deliveries(app: App) -> list[str | None]:
    async with app.conversations.sessions() as session:
        return list(await session.scalars(select(Message.delivery).order_by(Message.id)))


async def test_messages_show_whether_they_were_sent_or_failed(app, clock) -> None:
    await queue_linked(app, clock, "a", 3)
    sender = ScriptedSender([None, PermanentError("Forbidden: bot was blocked by the user")])
    await drain(make_worker(app, sender, clock))
    assert await deliveries(app) == [SENT, FAILED, SENT]


class TakenBackSender(ScriptedSender):
    """While it sends, another process takes the item back (its lease had run out)."""

    def __init__(self, app: App) -> None:
        super().__init__([])
        self.app = app

    async def send(self, work: Work) -> list[str]:
        async with self.app.conversations.sessions() as session, session.begin():
            await session.execute(
                update(OutboxItem).where(OutboxItem.id == work.id).values(claimed_by="other")
            )
        return await super().send(work)


async def test_an_outcome_after_the_lease_was_taken_back_is_dropped(app, clock) -> None:
    await queue_linked(app, clock, "a", 1)
    await drain(make_worker(app, TakenBackSender(app), clock))
    async with app.conversations.sessions() as session:
        item = await session.scalar(select(OutboxItem))
        assert item is not None and (item.status, item.claimed_by) == (SENDING, "other")
    assert await deliveries(app) == ["queued"], "the other process records it"
