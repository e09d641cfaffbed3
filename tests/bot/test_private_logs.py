"""Logs carry no personal data: a whole conversation and failing webhooks, read at DEBUG."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.channels.telegram import WithholdMessages
from bot.channels.telegram_runtime import withhold_messages_in_aiogram_logs
from bot.settings import Settings
from db.models import Declaration
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram

CHAT = 704417
NAME = "Zeta Thị Nhật Ký"
PHONE = "0912 000 417"
PHONE_FORMS = ["0912 000 417", "0912000417", "912000417"]


async def declare(user: User, tg: FakeTelegram) -> None:
    """A declaration with a name and a phone number, to the end."""
    await user.says("/start")
    await user.presses("Tiếng Việt")
    await user.presses("Khai báo")
    for _ in range(3):
        await user.presses("Đồng ý")
    await user.presses("Khai cho chính tôi")
    await user.says(NAME)
    await user.presses("Bỏ qua")
    await user.presses("Nữ")
    await user.says("1998")
    for label in ("Kinh", "Việt Nam", "Không có giấy tờ"):
        await user.presses(label)
    await user.shares_location(20.7, 106.6)
    await user.presses("Gọi điện thoại")
    await user.says(PHONE)
    while "Hoàn tất và lưu" not in str(tg.sent(CHAT)[-1].get("reply_markup")):
        if "An toàn, làm tiếp" in str(tg.sent(CHAT)[-1].get("reply_markup")):
            await user.presses("An toàn, làm tiếp")
        else:
            await user.presses("Bỏ qua")
    await user.presses("Hoàn tất và lưu")
    await tg.wait_for(lambda: tg.calls_of("sendDocument"))


# The fake posts its 5 MB body as bytes, which aiohttp warns about; the server is what we test.
@pytest.mark.filterwarnings("ignore:Sending a large body:ResourceWarning")
async def test_no_name_phone_or_chat_id_in_any_log(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")  # it sets itself to WARNING
    async with FakeTelegram() as tg, telegram_app(settings, tg, "webhook") as (app, _runtime):
        user = User(tg, app, CHAT)
        await declare(user, tg)
        review = [m["text"] for m in tg.sent(CHAT) if "Xem lại bản khai" in (m.get("text") or "")]
        assert NAME in review[-1] and "+84912000417" in review[-1], "the person did give both"
        async with app.conversations.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Declaration)) == 1

        person = {"id": CHAT, "type": "private", "first_name": NAME}
        malformed = {"update_id": 91, "message": {"chat": person, "text": f"{NAME} {PHONE}"}}
        assert await tg.post_update(malformed) == 400, "refused: it can never succeed"
        unknown = {
            "update_id": 92,
            "future_kind_of_update": {
                "chat": person, "text": f"{NAME} {PHONE}", "padding": "z" * 500_000,
            },
        }  # fmt: skip
        assert await tg.post_update(unknown) == 200
        huge = {**unknown, "update_id": 93, "padding": "z" * 5_000_000}
        assert await tg.post_update(huge) == 413
        await user.says("menu")  # still answering after both

    logged = caplog.text
    assert "webhook update refused (400)" in logged and "refused (413)" in logged
    assert "ignored update 92 of a type" in logged
    assert "SELECT" in logged, "everything was captured, down to the SQL statements"
    assert "[SQL parameters hidden due to hide_parameters=True]" in logged
    leaks = {n: logged.count(n) for n in [NAME, *PHONE_FORMS, str(CHAT)]}
    assert leaks == dict.fromkeys(leaks, 0)


def test_aiogram_error_logs_keep_the_exception_type_not_its_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    withhold_messages_in_aiogram_logs()
    withhold_messages_in_aiogram_logs()  # once per process, however often it is called
    event = logging.getLogger("aiogram.event")
    assert len([f for f in event.filters if isinstance(f, WithholdMessages)]) == 1
    with caplog.at_level(logging.DEBUG):
        try:
            raise ValueError(f"cannot parse {NAME}, {PHONE}")
        except ValueError as error:
            event.exception("Cause exception while process update id=%d by bot id=%d\n%s: %s",
                            7, 123456, type(error).__name__, error)  # fmt: skip
    assert "update id=7" in caplog.text and "ValueError (message withheld)" in caplog.text
    assert "test_private_logs.py" in caplog.text, "the frames stay"
    assert NAME not in caplog.text and PHONE not in caplog.text
