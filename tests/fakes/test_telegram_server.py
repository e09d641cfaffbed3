"""The fake Telegram speaks the Bot API the way aiogram expects, errors included."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandObject, CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import ClientSession, web
from aiohttp.typedefs import Handler

from tests.fakes.telegram_server import SECRET_HEADER, FakeTelegram
from tests.support import FakeClock

CHAT = 42


@pytest.fixture
async def tg(clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(now=clock) as fake:
        fake.add_chat(CHAT)
        yield fake


def make_bot(tg: FakeTelegram, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    return Bot(token or tg.token, session=session)


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(tg)
    yield bot
    await bot.session.close()


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=label, callback_data=f"cb:{label}") for label in labels]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


@asynccontextmanager
async def receiver(handler: Handler) -> AsyncIterator[str]:
    """A tiny web server standing in for the bot's webhook endpoint."""
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    finally:
        await runner.cleanup()


async def test_polling_dispatcher_gets_command_and_button_press(tg: FakeTelegram, bot: Bot) -> None:
    router, seen = Router(), []

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        seen.append(command.args)
        await message.answer("Bạn cần giúp gì?", reply_markup=keyboard("Yes, continue", "No"))

    @router.callback_query(F.data == "cb:Yes, continue")
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("ok")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Done")

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
    try:
        tg.user_sends(CHAT, "/start from-qr")
        [shown] = await tg.wait_for_messages(CHAT, 1)
        update = tg.user_presses(CHAT, "Yes")
        await tg.wait_for(lambda: tg.texts(CHAT) == ["Done"])
    finally:
        await dp.stop_polling()
        await polling
    assert seen == ["from-qr"]
    assert shown["message_id"] == 2  # the user's /start was message 1 in this chat
    assert "reply_markup" not in tg.sent(CHAT)[0]  # edit without markup drops the keyboard
    query = update["callback_query"]
    assert query["message"]["message_id"] == shown["message_id"]
    assert tg.callback_queries[query["id"]]["answer"]["text"] == "ok"
    assert tg.calls_of("getUpdates")[0]["allowed_updates"] == ["callback_query", "message"]


async def test_long_poll_waits_for_an_update_and_offset_confirms(
    tg: FakeTelegram, bot: Bot
) -> None:
    started = time.monotonic()
    waiting = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_for(lambda: tg.calls_of("getUpdates"))
    sent = tg.user_sends(CHAT, "xin chào")
    [update] = await waiting
    assert update.update_id == sent["update_id"]
    assert update.message and update.message.text == "xin chào"
    assert time.monotonic() - started < 2
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []
    assert not tg.updates
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_for(lambda: len(tg.calls_of("getUpdates")) == 3)
    newer = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await older
    await tg.wait_for(lambda: len(tg.calls_of("getUpdates")) == 4)
    tg.user_sends(CHAT, "/help")
    [command] = await newer
    assert command.message and command.message.entities
    assert command.message.entities[0].type == "bot_command"


async def test_rate_limit_server_error_and_slowness_are_injected(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as flood:
        await bot.send_message(CHAT, "a")
    assert flood.value.retry_after == 7
    tg.fail_next("sendMessage", times=2, status=500)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(CHAT, "b")
    tg.slow_next("sendMessage", delay=0.3)
    started = time.monotonic()
    await bot.send_message(CHAT, "c")
    assert time.monotonic() - started >= 0.3
    assert tg.injected == [("sendMessage", 429), ("sendMessage", 500), ("sendMessage", 500)]
    assert tg.texts(CHAT) == ["c"]
    assert len(tg.calls_of("sendMessage")) == 4


async def test_permanent_errors_use_telegram_descriptions(tg: FakeTelegram, bot: Bot) -> None:
    tg.block_chat(CHAT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hello")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(7, "hello")
    tg.add_chat(43, first_name="Lan", language_code="en")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "br" at byte offset 1'):
        await bot.send_message(43, "a<br>b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(43, "   ")
    bad = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(43, "a", reply_markup=bad)


async def test_edits_deletes_and_the_48_hour_rule(
    tg: FakeTelegram, bot: Bot, clock: FakeClock
) -> None:
    first = await bot.send_message(CHAT, "<b>Bước 1</b>", parse_mode="HTML")
    second = await bot.send_message(CHAT, "Bước 2", reply_markup=keyboard("OK"))
    assert first.text == "Bước 1"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Bước 2", chat_id=CHAT, message_id=second.message_id,
                                    reply_markup=keyboard("OK"))  # fmt: skip
    await bot.edit_message_reply_markup(
        chat_id=CHAT, message_id=second.message_id, reply_markup=keyboard("Tiếp")
    )
    clock.advance(hours=47)
    assert await bot.delete_message(CHAT, first.message_id)
    clock.advance(hours=2)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, second.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, 999)
    assert tg.deleted == [(CHAT, first.message_id)]
    assert [m["message_id"] for m in tg.sent(CHAT)] == [second.message_id]
    tg.user_presses(CHAT, "Tiếp")
    with pytest.raises(AssertionError, match=r"no button 'Bước'.*\[\['Tiếp'\]\]"):
        tg.user_presses(CHAT, "Bước")


async def test_reply_keyboard_and_location(tg: FakeTelegram, bot: Bot) -> None:
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Gửi vị trí", request_location=True)],
                  [KeyboardButton(text="Hủy")]],
        one_time_keyboard=True,
    )  # fmt: skip
    await bot.send_message(CHAT, "Bạn ở đâu?", reply_markup=markup)
    with pytest.raises(AssertionError, match="user_shares_location"):
        tg.user_presses(CHAT, "Gửi")
    update = tg.user_shares_location(CHAT, 20.86, 106.68)
    assert update["message"]["location"] == {"latitude": 20.86, "longitude": 106.68}
    assert tg.keyboard(CHAT) is None


async def test_document_keeps_bytes_and_commands_per_language(tg: FakeTelegram, bot: Bot) -> None:
    pdf = b"%PDF-1.7 declaration"
    sent = await bot.send_document(
        CHAT,
        BufferedInputFile(pdf, filename="to-khai.pdf"),
        caption="Tờ khai",
        protect_content=True,
    )
    assert sent.has_protected_content
    assert sent.document and sent.document.file_name == "to-khai.pdf"
    assert sent.document.mime_type == "application/pdf"
    upload = tg.file_of(tg.sent(CHAT)[-1])
    assert (upload.filename, upload.data) == ("to-khai.pdf", pdf)
    await bot.send_document(CHAT, sent.document.file_id)  # re-send by file_id
    assert tg.file_of(tg.sent(CHAT)[-1]).data == pdf
    await bot.set_my_commands(
        [BotCommand(command="start", description="Bắt đầu")], language_code="vi"
    )
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert [c.description for c in await bot.get_my_commands(language_code="vi")] == ["Bắt đầu"]
    assert tg.commands()[0]["description"] == "Start"
    assert await bot.send_chat_action(CHAT, "upload_document")


async def test_webhook_delivers_in_order_with_secret_and_retries(
    tg: FakeTelegram, bot: Bot
) -> None:
    received: list[tuple[str | None, int]] = []
    failures = [500]

    async def hook(request: web.Request) -> web.Response:
        if request.headers.get(SECRET_HEADER) != "s3cret":
            return web.Response(status=401)
        if failures:
            return web.Response(status=failures.pop())
        received.append(((await request.json())["message"]["text"], len(received)))
        return web.json_response({})

    async with receiver(hook) as url:
        assert await bot.set_webhook(url, secret_token="s3cret")
        first, _ = tg.user_sends(CHAT, "một"), tg.user_sends(CHAT, "hai")
        await tg.wait_for(lambda: len(received) == 2)
        assert received == [("một", 0), ("hai", 1)]
        assert tg.webhook_deliveries[0] == (first["update_id"], 500)
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        assert await tg.post_update(first, secret="wrong") == 401
        assert await tg.post_update(first, secret=None) == 401
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (url, 0)
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []


async def test_webhook_reply_method_runs_through_aiogram_handler(
    tg: FakeTelegram, bot: Bot
) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> SendMessage:
        return message.answer(f"echo: {message.text}")

    handler = SimpleRequestHandler(dp, bot, secret_token="abc", handle_in_background=False)
    async with receiver(handler.handle) as url:
        await bot.set_webhook(url, secret_token="abc")
        tg.user_sends(CHAT, "alo")
        await tg.wait_for_messages(CHAT, 1)
    assert tg.texts(CHAT) == ["echo: alo"]


async def test_wrong_token_and_unknown_method(tg: FakeTelegram) -> None:
    stranger = make_bot(tg, token="999:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
            await stranger.get_me()
    finally:
        await stranger.session.close()
    async with ClientSession() as http:
        async with http.post(f"{tg.base_url}/bot{tg.token}/sendNothing") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False, "error_code": 404, "description": "Not Found",
            }  # fmt: skip
        async with http.get(f"{tg.base_url}/bot{tg.token}/getme") as response:
            assert (await response.json())["result"]["username"] == "hotline_test_bot"
    assert [call.method for call in tg.calls] == ["sendNothing", "getMe"]  # 401s not recorded


async def test_many_chats_at_once_keep_their_own_message_ids(tg: FakeTelegram, bot: Bot) -> None:
    chats = range(1000, 1250)
    for chat in chats:
        tg.user_sends(chat, "/start")
    await asyncio.gather(*(bot.send_message(chat, f"hi {chat}") for chat in chats for _ in "ab"))
    assert all([m["message_id"] for m in tg.sent(chat)] == [2, 3] for chat in chats)
    await tg.wait_for_messages(1249, 2, timeout=0.1)
    with pytest.raises(AssertionError, match="wanted 3 bot messages"):
        await tg.wait_for_messages(1249, 3, timeout=0.05)
