"""Voice notes, photos, files and stickers on Telegram reach the service with their exact bytes.

The real aiogram fetches them from the fake Bot API server; a file over the limit is not
fetched, and a failed fetch keeps the message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.memory import SimpleEventIsolation
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram import router, skip_unknown_updates
from bot.services.conversation import Delivery
from bot.settings import Settings
from db.media import MAX_BYTES, MediaStore
from db.models import Contact, Message
from dialogs.events import Inbound, Kind
from tests.bot.telegram_support import telegram_app
from tests.fakes.telegram_server import FakeTelegram

CHAT = 700042
VOICE = b"OggS\x00\x02" + bytes(range(256)) * 40
PHOTO = b"\xff\xd8\xff\xe0JFIF-large" + bytes(range(256)) * 30
THUMB = b"\xff\xd8\xff\xe0JFIF-thumb"
MEDIUM = b"\xff\xd8\xff\xe0JFIF-medium" + bytes(range(256)) * 4
PDF = b"%PDF-1.4 giay to tuy than" + bytes(range(256)) * 10
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + bytes(16)
CAPTION = "Ảnh giấy tờ của tôi <b>đây</b>"


class Seen:
    """What reached handle, one event at a time."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[Inbound] = asyncio.Queue()

    async def handle(self, event: Inbound) -> None:
        await self.events.put(event)

    async def next(self) -> Inbound:
        return await asyncio.wait_for(self.events.get(), 10)


@asynccontextmanager
async def adapter(tg: FakeTelegram, limit: int = MAX_BYTES) -> AsyncIterator[Seen]:
    """The channel's router in a polling dispatcher against the fake, with a capturing handle."""
    seen = Seen()
    bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    # As in the runtime: one person's updates one at a time, in order.
    dispatcher = Dispatcher(events_isolation=SimpleEventIsolation())
    dispatcher.update.outer_middleware(skip_unknown_updates)
    dispatcher.include_router(router(seen.handle, media_max_bytes=limit))
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    try:
        yield seen
    finally:
        await dispatcher.stop_polling()
        await polling
        await bot.session.close()


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def test_a_voice_note_arrives_with_its_bytes(tg: FakeTelegram) -> None:
    async with adapter(tg) as seen:
        sent = tg.user_sends_voice(CHAT, VOICE)
        event = await seen.next()
    assert event.kind is Kind.MEDIA and event.text == ""
    assert event.data == {"media": "voice", "mime": "audio/ogg", "size": len(VOICE), "name": None}
    assert event.attachment == VOICE
    assert (event.chat, event.message_id) == (str(CHAT), str(sent["message"]["message_id"]))
    assert event.external_id and event.external_id.endswith(f":{sent['update_id']}")
    assert len(tg.downloads) == 1 and tg.downloads[0].startswith("voice/")


async def test_a_photo_with_caption_takes_the_largest_size(tg: FakeTelegram) -> None:
    async with adapter(tg) as seen:
        tg.user_sends_photo(CHAT, PHOTO, caption=CAPTION, smaller=[THUMB, MEDIUM])
        event = await seen.next()
    assert event.kind is Kind.MEDIA and event.text == CAPTION
    assert event.data == {"media": "photo", "mime": "image/jpeg", "size": len(PHOTO), "name": None}
    assert event.attachment == PHOTO
    assert len(tg.downloads) == 1, "one size is fetched, not all of them"


async def test_a_photo_too_large_in_full_size_comes_in_the_largest_that_fits(
    tg: FakeTelegram,
) -> None:
    async with adapter(tg, limit=len(MEDIUM) + 10) as seen:
        tg.user_sends_photo(CHAT, PHOTO, smaller=[THUMB, MEDIUM])
        event = await seen.next()
    assert event.attachment == MEDIUM
    assert event.data["size"] == len(MEDIUM) and "too_big" not in event.data


async def test_a_document_keeps_its_name_and_type(tg: FakeTelegram) -> None:
    async with adapter(tg) as seen:
        tg.user_sends_document(CHAT, PDF, "giấy ra viện.pdf", "application/pdf", caption="đây")
        tg.user_sends_document(CHAT, b"\x00\x01", "du_lieu")
        event, unknown = await seen.next(), await seen.next()
    assert event.kind is Kind.MEDIA and event.text == "đây"
    assert event.data == {
        "media": "file", "mime": "application/pdf", "size": len(PDF), "name": "giấy ra viện.pdf",
    }  # fmt: skip
    assert event.attachment == PDF
    assert unknown.data["mime"] == "application/octet-stream"
    assert unknown.attachment == b"\x00\x01"


async def test_stickers_keep_the_emoji_and_only_static_ones_are_fetched(
    tg: FakeTelegram,
) -> None:
    async with adapter(tg) as seen:
        tg.user_sends_sticker(CHAT, WEBP, "😢")
        tg.user_sends_sticker(CHAT, b"\x1f\x8b tgs", "🙏", animated=True)
        tg.user_sends_sticker(CHAT, b"\x1a\x45\xdf\xa3 webm", "👍", video=True)
        static, animated, video = [await seen.next() for _ in range(3)]
    assert static.kind is Kind.MEDIA and static.text == ""
    assert static.data == {
        "media": "sticker", "mime": "image/webp", "size": len(WEBP), "name": None,
        "emoji": "😢", "animated": False,
    }  # fmt: skip
    assert static.attachment == WEBP
    assert animated.data["emoji"] == "🙏" and animated.data["animated"] is True
    assert animated.data["mime"] == "application/x-tgsticker"
    assert video.data["emoji"] == "👍" and video.data["mime"] == "video/webm"
    assert animated.attachment is None and video.attachment is None
    assert not {"failed", "too_big"} & (animated.data.keys() | video.data.keys())
    assert len(tg.downloads) == 1, "animated stickers are not fetched"


@pytest.mark.parametrize(
    ("send", "media", "mime"),
    [
        (lambda tg, data: tg.user_sends_audio(CHAT, data), "audio", "audio/mpeg"),
        (lambda tg, data: tg.user_sends_video(CHAT, data), "video", "video/mp4"),
        (lambda tg, data: tg.user_sends_video(CHAT, data, note=True), "video_note", "video/mp4"),
    ],
)
async def test_audio_video_and_round_videos(
    tg: FakeTelegram, send: Callable[[FakeTelegram, bytes], Any], media: str, mime: str
) -> None:
    async with adapter(tg) as seen:
        send(tg, VOICE)
        event = await seen.next()
    assert (event.kind, event.data["media"], event.data["mime"]) == (Kind.MEDIA, media, mime)
    assert event.attachment == VOICE


async def test_an_oversized_file_is_not_fetched_and_is_marked_too_big(tg: FakeTelegram) -> None:
    async with adapter(tg) as seen:
        tg.user_sends_document(CHAT, b"x", "phim.mp4", "video/mp4", size=MAX_BYTES + 1)
        tg.user_sends_voice(CHAT, b"y", size=25 * 1024**2, caption="nghe giúp tôi")
        document, voice = await seen.next(), await seen.next()
    for event in (document, voice):
        assert event.kind is Kind.MEDIA and event.attachment is None
        assert event.data["too_big"] is True and event.data["limit"] == MAX_BYTES
        assert "failed" not in event.data
    assert document.data["size"] == MAX_BYTES + 1 and document.data["name"] == "phim.mp4"
    assert voice.text == "nghe giúp tôi"
    assert tg.calls_of("getFile") == [] and tg.calls_of("downloadFile") == []


async def test_a_file_bigger_than_announced_is_cut_off_at_the_limit(tg: FakeTelegram) -> None:
    async with adapter(tg, limit=1000) as seen:
        tg.user_sends_document(CHAT, b"z" * 5000, "nho.txt", "text/plain", size=10)
        event = await seen.next()
    assert event.attachment is None and event.data["too_big"] is True
    assert event.data["limit"] == 1000 and len(tg.downloads) == 1, "started, then stopped"


async def test_a_failed_download_keeps_the_message(
    tg: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    tg.fail_next("downloadFile", status=500)
    tg.fail_next("getFile", status=400, description="Bad Request: wrong file_id")
    with caplog.at_level(logging.DEBUG):
        async with adapter(tg) as seen:
            tg.user_sends_photo(CHAT, PHOTO, caption=CAPTION)
            photo = await seen.next()
            tg.user_sends_voice(CHAT, VOICE)
            voice = await seen.next()
            tg.user_sends_voice(CHAT, VOICE)
            fine = await seen.next()
    assert photo.kind is Kind.MEDIA and photo.text == CAPTION
    assert photo.attachment is None and photo.data["failed"] is True
    assert photo.data["media"] == "photo" and photo.data["size"] == len(PHOTO)
    assert voice.attachment is None and voice.data["failed"] is True
    assert fine.attachment == VOICE and "failed" not in fine.data
    assert "could not fetch a photo from Telegram (TelegramBadRequest)" in caplog.text
    assert "could not fetch a voice from Telegram (ClientResponseError)" in caplog.text
    assert "photos/" not in caplog.text and "voice/" not in caplog.text


async def test_text_commands_and_the_campaign_deep_link(tg: FakeTelegram) -> None:
    async with adapter(tg) as seen:
        for text in ("xin chào", "/start src_leaflet_thuynguyen", "/start", "/start bad!",
                     "/start@hotline_test_bot src_poster-HP_2"):  # fmt: skip
            tg.user_sends(CHAT, text)
        events = [await seen.next() for _ in range(5)]
    assert [(e.kind, e.text) for e in events[:2]] == [
        (Kind.TEXT, "xin chào"), (Kind.COMMAND, "/start src_leaflet_thuynguyen"),
    ]  # fmt: skip
    assert [e.data for e in events] == [
        {}, {"source": "src_leaflet_thuynguyen"}, {}, {}, {"source": "src_poster-HP_2"},
    ]  # fmt: skip
    assert all(e.attachment is None for e in events)


# Through the real runtime and app


def capture(app: App) -> list[Inbound]:
    """Record each event that reaches the conversation service, and let it through."""
    seen: list[Inbound] = []
    through = app.conversations.handle

    async def handle(event: Inbound, outbox: bool = False) -> Delivery:
        seen.append(event)
        return await through(event, outbox=outbox)

    app.conversations.handle = handle  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_voice_note_reaches_the_service_and_no_log_holds_it(
    settings: Settings, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Tôi tên Zeta Thử Nghiệm"
    with caplog.at_level(logging.DEBUG):
        async with FakeTelegram() as tg, telegram_app(settings, tg, mode) as (app, _runtime):
            seen = capture(app)
            tg.user_sends_voice(CHAT, VOICE)
            tg.user_sends_photo(CHAT, PHOTO, caption=secret)
            await tg.wait_for(lambda: len(seen) == 2 and tg.sent(CHAT))
    voice, photo = seen
    assert voice.kind is Kind.MEDIA and voice.attachment == VOICE
    assert voice.data["media"] == "voice" and voice.data["mime"] == "audio/ogg"
    assert photo.attachment == PHOTO and photo.text == secret
    logged = caplog.text
    for data in (VOICE, PHOTO):
        assert repr(data[:24])[2:-1] not in logged and data[:24].hex() not in logged
    assert "Zeta" not in logged


async def test_an_oversized_voice_note_through_the_runtime(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, _runtime):
        seen = capture(app)
        tg.user_sends_voice(CHAT, b"x", size=settings.media_max_bytes + 1)
        await tg.wait_for(lambda: seen and tg.sent(CHAT))
    [event] = seen
    assert event.attachment is None and event.data["too_big"] is True
    assert event.data["limit"] == settings.media_max_bytes == 10 * 1024**2
    assert tg.calls_of("getFile") == []


async def test_the_deep_link_source_reaches_the_service_and_the_database(
    settings: Settings,
) -> None:
    """Once bot/services/conversation.py reads event.data["source"] instead of its own
    regex, this and tests/bot/test_telegram.py::test_commands_language_and_deep_link
    still hold."""
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, _runtime):
        seen = capture(app)
        tg.user_sends(CHAT, "/start src_leaflet_thuynguyen")
        await tg.wait_for(lambda: seen and tg.sent(CHAT))
        tg.user_sends(CHAT, "/start src_other_campaign")
        await tg.wait_for(lambda: len(seen) == 2 and len(tg.sent(CHAT)) >= 2)
        async with app.conversations.sessions() as session:
            contact = await session.scalar(select(Contact))
    assert [e.data.get("source") for e in seen] == ["src_leaflet_thuynguyen", "src_other_campaign"]
    assert contact is not None and contact.source == "src_leaflet_thuynguyen", "the first one"


async def test_a_voice_note_joins_the_open_case_encrypted(settings: Settings) -> None:
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, _runtime):
        seen = capture(app)
        tg.user_sends(CHAT, "cứu tôi với")  # danger words open an urgent case
        await tg.wait_for(lambda: seen and tg.sent(CHAT))
        tg.user_sends_voice(CHAT, VOICE)
        tg.user_sends_voice(CHAT, b"x", size=settings.media_max_bytes + 1)
        await tg.wait_for(lambda: len(seen) == 3)
        relayed: list[Message] = []
        media = None
        for _ in range(500):
            async with app.conversations.sessions() as session:
                relayed = list(
                    await session.scalars(
                        select(Message).where(Message.kind == "voice").order_by(Message.id)
                    )
                )
                if len(relayed) == 2:
                    media = await MediaStore(session).get(relayed[0].media_id or 0)
                    break
            await asyncio.sleep(0.01)
    assert [m.direction for m in relayed] == ["in", "in"]
    assert media is not None and media.data == VOICE and media.mime == "audio/ogg"
    assert relayed[1].media_id is None, "too big: the message is kept, without a file"
