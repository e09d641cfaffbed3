"""Telegram through aiogram 3: updates become Inbound events, replies become Bot API calls."""

from __future__ import annotations

import contextlib
import logging
import re
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Protocol

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from aiogram.types.update import UpdateTypeLookupError

from bot.channels.telegram_media import attached, fetch
from bot.services.declaration_files import filename
from bot.services.outbox import PermanentError, RetryLater, TransientError, Work
from db.media import MAX_BYTES
from db.outbox import DELETE, DOCUMENT
from dialogs.events import Inbound, Kind, Reply

CHANNEL = "telegram"
Handle = Callable[[Inbound], Awaitable[None]]
MiddlewareHandler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
log = logging.getLogger(__name__)
SOURCE = re.compile(r"^/start(?:@\w+)?\s+(src_[A-Za-z0-9_-]{1,60})$")
"""A campaign deep link, t.me/<bot>?start=src_leaflet_thuynguyen, arrives as this command."""


class PdfSource(Protocol):
    """Where declaration PDFs come from (the conversation service)."""

    async def declaration_pdf(self, contact_id: int | None, ref: str, lang: str) -> bytes | None:
        """The same bytes on every retry; None when the person may not have it."""

    def declaration_sent(self, ref: str, lang: str) -> None:
        """Called once the PDF is in the chat, so the kept copy can go."""


def external_id(bot_id: int, update_id: int) -> str:
    """The de-duplication key: update ids count per bot, and restart after a week of
    silence or with a new token, so the bot's id is part of it."""
    return f"u:{bot_id}:{update_id}"


def inbound_from_message(
    message: Message, update_id: int, bot_id: int, media_max_bytes: int = MAX_BYTES
) -> Inbound:
    """A message: text, command, location, shared contact, or a file (without its bytes).

    The update id de-duplicates redeliveries and says nothing about who wrote. A command
    that opens a campaign deep link carries the campaign in data["source"].
    """
    user = message.from_user
    base = {
        "channel": CHANNEL,
        "chat": str(message.chat.id),
        "user": str(user.id if user else message.chat.id),
        "lang_hint": user.language_code if user else None,
        "external_id": external_id(bot_id, update_id),
        "message_id": str(message.message_id),
    }
    if message.location:
        where = (message.location.latitude, message.location.longitude)
        return Inbound(**base, kind=Kind.LOCATION, location=where)  # type: ignore[arg-type]
    if message.contact:
        return Inbound(**base, kind=Kind.CONTACT, text=message.contact.phone_number)  # type: ignore[arg-type]
    if file := attached(message, media_max_bytes):
        caption = message.caption or ""
        return Inbound(**base, kind=Kind.MEDIA, text=caption, data=file.data())  # type: ignore[arg-type]
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return Inbound(**base, kind=Kind.TEXT, text=text)  # type: ignore[arg-type]
    source = SOURCE.match(text.strip())
    data = {"source": source.group(1)} if source else {}
    return Inbound(**base, kind=Kind.COMMAND, text=text, data=data)  # type: ignore[arg-type]


async def inbound_with_media(
    message: Message, update_id: int, bot: Bot, media_max_bytes: int = MAX_BYTES
) -> Inbound:
    """The message's event, with the bytes of its file when they fit within the limit.

    Over the limit nothing is fetched and data says too_big; a failed fetch says failed;
    either way the message itself goes on, so that nobody's words are lost.
    """
    event = inbound_from_message(message, update_id, bot.id, media_max_bytes)
    if event.kind is not Kind.MEDIA or not (file := attached(message, media_max_bytes)):
        return event
    data, notes = await fetch(bot, file, media_max_bytes)
    return replace(event, data={**event.data, **notes}, attachment=data)


def inbound_from_callback(query: CallbackQuery, update_id: int, bot_id: int) -> Inbound:
    """A button press; the payload is the short id we put in callback_data."""
    chat = query.message.chat.id if query.message else query.from_user.id
    return Inbound(
        channel=CHANNEL,
        chat=str(chat),
        user=str(query.from_user.id),
        kind=Kind.BUTTON,
        payload=query.data or "",
        lang_hint=query.from_user.language_code,
        external_id=external_id(bot_id, update_id),
        pressed_message_id=str(query.message.message_id) if query.message else None,
    )


Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def inline_markup(reply: Reply) -> InlineKeyboardMarkup:
    """The reply's buttons under its text."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.payload) for b in row]
            for row in reply.buttons
        ]
    )


def markup_for(reply: Reply) -> Markup:
    """Inline buttons; where a location is asked for, a keyboard with a location button.

    A message without buttons takes away any location keyboard left on screen.
    """
    if reply.request_location:
        rows = [[KeyboardButton(text=reply.request_location, request_location=True)]]
        rows += [[KeyboardButton(text=b.label) for b in row] for row in reply.buttons]
        return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)
    if not reply.buttons:
        return ReplyKeyboardRemove()
    return inline_markup(reply)


def router(handle: Handle, *, media_max_bytes: int = MAX_BYTES) -> Router:
    """The feature's router: private chats only, so nothing is ever shown to a group.

    media_max_bytes is settings.media_max_bytes: larger files are not fetched.
    """
    r = Router(name="hotline")
    r.message.filter(F.chat.type == ChatType.PRIVATE)
    r.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)

    @r.message()
    async def on_message(message: Message, event_update: Update, bot: Bot) -> None:
        """Anything a person writes or shares; a file is fetched first, outside the unit of work."""
        await handle(
            await inbound_with_media(message, event_update.update_id, bot, media_max_bytes)
        )

    @r.callback_query()
    async def on_button(query: CallbackQuery, event_update: Update, bot: Bot) -> None:
        """A press: stop the button's spinner at once, then handle it."""
        await query.answer()
        await handle(inbound_from_callback(query, event_update.update_id, bot.id))

    return r


async def skip_unknown_updates(
    handler: MiddlewareHandler, update: TelegramObject, data: dict[str, Any]
) -> Any:
    """An update of a type aiogram does not know is dropped with its id only.

    Left to aiogram, it would be written whole into the log, with whatever it carries.
    """
    assert isinstance(update, Update)
    try:
        update.event_type  # noqa: B018 - the lookup is the check
    except UpdateTypeLookupError:
        log.info("ignored update %d of a type this version does not know", update.update_id)
        return UNHANDLED
    return await handler(update, data)


class WithholdMessages(logging.Filter):
    """For aiogram's loggers: an exception's message may quote a person, so keep its type.

    The traceback's frames stay, for the developer; the message and any arguments that
    are exceptions are replaced by the exception's type.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                type(a).__name__ if isinstance(a, BaseException) else a for a in record.args
            )
        if record.exc_info and record.exc_info[0] is not None:
            kind, _error, tb = record.exc_info
            frames = "".join(traceback.format_tb(tb))
            record.exc_text = (
                f"Traceback (most recent call last):\n{frames}{kind.__name__} (message withheld)"
            )
            record.exc_info = None
        return True


class TelegramSender:
    """Sends outbox items with the Bot API; maps Telegram's errors to retry decisions."""

    def __init__(self, bot: Bot, pdfs: PdfSource) -> None:
        self.bot, self.pdfs = bot, pdfs

    async def send(self, work: Work) -> list[str]:
        """One item: a message, a document, or a deletion."""
        try:
            return await self._send(work)
        except TelegramRetryAfter as error:
            raise RetryLater(float(error.retry_after)) from error
        except (TimeoutError, TelegramServerError, TelegramNetworkError) as error:
            raise TransientError(type(error).__name__) from error
        except (TelegramForbiddenError, TelegramNotFound, TelegramBadRequest) as error:
            raise PermanentError(error.message) from error

    async def _send(self, work: Work) -> list[str]:
        chat = int(work.chat_id)
        if work.kind == DELETE:
            # Already gone, or older than 48 hours: nothing more can be done.
            with contextlib.suppress(TelegramBadRequest):
                await self.bot.delete_messages(chat, [int(i) for i in work.payload["message_ids"]])
            return []
        if work.kind == DOCUMENT:
            ref, lang = work.payload["ref"], work.payload.get("lang", "vi")
            data = await self.pdfs.declaration_pdf(work.contact_id, ref, lang)
            if data is None:
                return []
            upload = BufferedInputFile(data, filename=filename(ref, lang))
            sent = await self.bot.send_document(chat, upload, protect_content=True)
            self.pdfs.declaration_sent(ref, lang)
            return [str(sent.message_id)]
        reply = Reply.from_dict(work.payload["reply"])
        edit = work.payload.get("edit")
        if (
            edit
            and reply.buttons
            and not reply.request_location
            and await self._edit(chat, int(edit), reply)
        ):
            return []  # the message and its id are already known
        sent = await self.bot.send_message(
            chat, reply.text, reply_markup=markup_for(reply), protect_content=reply.sensitive
        )
        return [str(sent.message_id)]

    async def _edit(self, chat: int, message_id: int, reply: Reply) -> bool:
        """Replace a message's text and buttons; False when Telegram will not, so we send.

        An edit fails on a message too old or deleted; "not modified" means it already shows
        this, which is as good as done.
        """
        try:
            await self.bot.edit_message_text(
                text=reply.text,
                chat_id=chat,
                message_id=message_id,
                reply_markup=inline_markup(reply),
            )
        except TelegramBadRequest as error:
            return "not modified" in error.message
        return True
