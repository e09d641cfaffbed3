"""A submitted declaration keeps the coarse, unencrypted columns the supervisors count."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from db.models import Declaration
from tests.bot.test_declaration_flow import (
    consent_all,
    events_return_needs,
    identity_as_returnee,
    open_declaration,
    submit,
)


async def test_submitted_declaration_stores_commune_month_return_mode_and_needs(
    app: App, transcript
) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await identity_as_returnee(chat)  # "xã Đại Hợp, huyện Kiến Thụy": one new commune
    await events_return_needs(chat)  # rescued; shelter and psychological support
    ref = await submit(chat)

    async with app.conversations.sessions() as session:
        row = await session.scalar(select(Declaration).where(Declaration.ref == ref))
    assert row is not None
    expected_ward = app.directory.resolve("xã Đại Hợp, huyện Kiến Thụy")[0].code
    assert row.ward_code == expected_ward
    assert row.month == "2026-12", "the clock's 1 December 03:00 UTC is December in Vietnam"
    assert row.return_mode == "rescued"
    assert row.needs == "shelter,psychological"
