"""A caseworker links Telegram; urgent cases plan their alerts.

Skipped until db.caseworker_links and bot.services.reminders.alerts are merged.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from db import caseworker_links as links
from db.models import URGENT_ALERT, URGENT_ESCALATION, Caseworker
from db.models import Reminder as ReminderRow
from dialogs.events import Inbound, Kind
from tests.bot.test_case_desk import _worker
from tests.bot.test_caseworker_chat import at_menu, cases, talk


async def test_a_link_code_links_this_telegram_chat_once(app: App) -> None:
    lan = await _worker(app, "lan")
    async with app.conversations.sessions() as s, s.begin():
        code = await links.new_link_code(s, lan.id, app.conversations.clock())
    for text, expected in ((f"/start link_{code}", "Đã liên kết"), (f"/link {code}", "Mã không")):
        event = Inbound("telegram", "4242", "4242", Kind.COMMAND, text=text)
        delivery = await app.conversations.handle(event)
        assert delivery.replies[0].text.startswith(expected), "single use"
    async with app.conversations.sessions() as s:
        row = await s.get(Caseworker, lan.id)
        assert row is not None and row.telegram_chat == "4242"


async def test_new_and_raised_urgent_cases_plan_their_alerts(app: App, transcript) -> None:
    danger, raised = transcript(chat="a"), transcript(chat="b")
    await at_menu(danger)
    await danger.send("cứu tôi, họ nhốt tôi")
    await talk(raised)
    await raised.send("menu")
    await raised.send("không")
    await raised.send("cứu tôi, họ nhốt tôi")
    first, second = await cases(app)
    assert second.urgent and second.contact_id == raised.contact_id
    async with app.conversations.sessions() as s:
        for case in (first, second):
            kinds = await s.scalars(select(ReminderRow.kind).where(ReminderRow.case_id == case.id))
            assert sorted(kinds) == sorted([URGENT_ALERT, URGENT_ESCALATION])
