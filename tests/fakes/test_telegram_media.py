"""The fake Telegram's users send media that aiogram parses and fetches like the real thing."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Update
from aiohttp import ClientResponseError

from tests.fakes.telegram_server import FakeTelegram

CHAT = 42
VOICE = b"OggS" + bytes(range(256)) * 8


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        fake.add_chat(CHAT)
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    bot = Bot(tg.token, session=session)
    yield bot
    await bot.session.close()


def parsed(update: dict[str, object], bot: Bot) -> Update:
    return Update.model_validate(update, context={"bot": bot})


async def test_a_voice_note_is_fetched_by_get_file_and_its_path(tg: FakeTelegram, bot: Bot) -> None:
    update = parsed(tg.user_sends_voice(CHAT, VOICE), bot)
    voice = update.message and update.message.voice
    assert voice and voice.file_size == len(VOICE) and voice.mime_type == "audio/ogg"
    file = await bot.get_file(voice.file_id)
    assert file.file_path and file.file_path.startswith("voice/")
    sink = io.BytesIO()
    await bot.download_file(file.file_path, sink)
    assert sink.getvalue() == VOICE
    assert tg.downloads == [file.file_path]


async def test_each_kind_parses_with_its_fields(tg: FakeTelegram, bot: Bot) -> None:
    photo = parsed(tg.user_sends_photo(CHAT, b"big", caption="<b>x</b>", smaller=[b"s"]), bot)
    assert photo.message and photo.message.photo and photo.message.caption == "<b>x</b>"
    assert [p.file_size for p in photo.message.photo] == [1, 3]
    doc = parsed(tg.user_sends_document(CHAT, b"%PDF", "giay.pdf", "application/pdf"), bot)
    assert doc.message and doc.message.document
    assert (doc.message.document.file_name, doc.message.document.mime_type) == (
        "giay.pdf", "application/pdf",
    )  # fmt: skip
    sticker = parsed(tg.user_sends_sticker(CHAT, b"tgs", "😢", animated=True), bot)
    assert sticker.message and sticker.message.sticker
    assert sticker.message.sticker.emoji == "😢" and sticker.message.sticker.is_animated
    note = parsed(tg.user_sends_video(CHAT, b"mp4", note=True), bot)
    assert note.message and note.message.video_note and note.message.video_note.length == 240
    audio = parsed(tg.user_sends_audio(CHAT, b"ID3"), bot)
    assert audio.message and audio.message.audio and audio.message.audio.file_name == "song.mp3"


async def test_too_big_unknown_and_failed_downloads(tg: FakeTelegram, bot: Bot) -> None:
    huge = parsed(tg.user_sends_document(CHAT, b"x", "phim.mp4", size=25 * 1024**2), bot)
    assert huge.message and huge.message.document
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file(huge.message.document.file_id)
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")
    voice = parsed(tg.user_sends_voice(CHAT, VOICE), bot)
    assert voice.message and voice.message.voice
    file = await bot.get_file(voice.message.voice.file_id)
    assert file.file_path
    tg.fail_next("downloadFile", status=500)
    with pytest.raises(ClientResponseError):
        await bot.download_file(file.file_path, io.BytesIO())
    with pytest.raises(ClientResponseError):
        await bot.download_file("voice/none.oga", io.BytesIO())
    assert tg.injected == [("downloadFile", 500)] and tg.downloads == []
    assert len(tg.calls_of("downloadFile")) == 2
