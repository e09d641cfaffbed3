"""What the fake Telegram remembers: chats, their messages and the updates users queue."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

Json = dict[str, Any]
TOKEN = "123456:TEST-TOKEN"
# Update types Telegram sends when allowed_updates is empty or never given.
DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@\w+)?")


class ApiError(Exception):
    """A Bot API error reply, raised anywhere so the HTTP layer answers like Telegram."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status, self.description, self.retry_after = status, description, retry_after

    def payload(self) -> Json:
        """The JSON body Telegram sends for this error."""
        body: Json = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's wording, so tests match the real descriptions."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class UploadedFile:
    """A file the bot uploaded, kept whole so tests can open what the user would get."""

    filename: str
    content_type: str
    data: bytes


class Call(NamedTuple):
    """One Bot API request as the fake received it (after decoding form fields)."""

    method: str
    params: Json
    at: float


@dataclass
class Chat:
    """A private chat: the user is the chat, and message ids count up per chat."""

    id: int
    first_name: str = "Test"
    language_code: str | None = "vi"
    blocked: bool = False
    next_id: int = 1
    messages: dict[int, Json] = field(default_factory=dict)
    keyboard: Json | None = None

    def info(self) -> Json:
        """The `chat` object Telegram puts into messages."""
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def user(self) -> Json:
        """The `from` object of this chat's user."""
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def bot_messages(self) -> Iterator[Json]:
        """Visible bot messages, newest first."""
        return (m for m in reversed(self.messages.values()) if m["from"]["is_bot"])


def utf16_len(text: str) -> int:
    """Telegram counts lengths and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _labels(rows: list[list[Any]]) -> list[str]:
    return [b if isinstance(b, str) else b.get("text", "") for row in rows for b in row]


class TelegramState:
    """Users' side of the fake: chats, visible messages, queued updates; no HTTP here."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        now: Callable[[], float | datetime] = time.time,
        bot_username: str = "hotline_test_bot",
    ) -> None:
        self.token, self.now = token, now
        self.bot_user: Json = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Hotline Test Bot",
            "username": bot_username,
        }
        self.chats: dict[int, Chat] = {}
        self.updates: deque[Json] = deque()
        self.dropped_updates: list[Json] = []
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATES
        self.deleted: list[tuple[int, int]] = []
        self.callback_queries: dict[str, Json] = {}
        self.files: dict[str, UploadedFile] = {}
        self._next_update_id = 10_000

    def _changed(self) -> None:
        """Hook: the server wakes pollers and waiters here."""

    def _ts(self) -> int:
        """Fake-clock seconds; accepts clocks that return floats or aware datetimes."""
        value = self.now()
        return int(value.timestamp() if isinstance(value, datetime) else value)

    # Chats seen from the test's side
    def add_chat(
        self, chat_id: int, first_name: str = "Test", language_code: str | None = "vi"
    ) -> Chat:
        """Make a chat known (as if the user had pressed Start), or update its user."""
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(chat_id)
        chat.first_name, chat.language_code = first_name, language_code
        return chat

    def block_chat(self, chat_id: int) -> None:
        """The user blocks the bot: later sends answer 403."""
        (self.chats.get(chat_id) or self.add_chat(chat_id)).blocked = True

    def unblock_chat(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        self.chats[chat_id].blocked = False

    def sent(self, chat_id: int) -> list[Json]:
        """Bot messages now visible in the chat (after edits and deletes), oldest first."""
        chat = self.chats.get(chat_id)
        return [] if chat is None else [m for m in chat.messages.values() if m["from"]["is_bot"]]

    def texts(self, chat_id: int) -> list[str]:
        """Texts (or captions) of the visible bot messages, oldest first."""
        return [str(m.get("text") or m.get("caption") or "") for m in self.sent(chat_id)]

    def deleted_in(self, chat_id: int) -> list[int]:
        """Ids of the messages the bot deleted in that chat."""
        return [mid for cid, mid in self.deleted if cid == chat_id]

    def keyboard(self, chat_id: int) -> Json | None:
        """The reply keyboard the user sees now, or None."""
        return self.chats[chat_id].keyboard

    def file_of(self, message: Json) -> UploadedFile:
        """The uploaded bytes and name behind a document message."""
        return self.files[message["document"]["file_id"]]

    # Acting as users
    def queue_update(self, update: Json) -> Json:
        """Give an update the next update_id and queue it, unless allowed_updates filters it."""
        self._next_update_id += 1
        update = {"update_id": self._next_update_id, **update}
        kind = next(k for k in update if k != "update_id")
        (self.updates if kind in self.allowed_updates else self.dropped_updates).append(update)
        self._changed()
        return update

    def _user_message(self, chat: Chat, **content: Any) -> Json:
        message: Json = {
            "message_id": chat.next_id,
            "from": chat.user(),
            "chat": chat.info(),
            "date": self._ts(),
            **content,
        }
        chat.messages[chat.next_id] = message
        chat.next_id += 1
        return message

    def user_sends(
        self, chat_id: int, text: str, language_code: str | None = "vi", first_name: str = "Test"
    ) -> Json:
        """The user types text; commands get the bot_command entity aiogram filters need."""
        chat = self.add_chat(chat_id, first_name, language_code)
        content: Json = {"text": text}
        if command := COMMAND.match(text):
            length = utf16_len(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.queue_update({"message": self._user_message(chat, **content)})

    def user_shares_location(self, chat_id: int, lat: float, lon: float) -> Json:
        """The user shares a location (e.g. with a request_location button)."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        if chat.keyboard and chat.keyboard.get("one_time_keyboard"):
            chat.keyboard = None
        location = {"latitude": lat, "longitude": lon}
        return self.queue_update({"message": self._user_message(chat, location=location)})

    def user_presses(self, chat_id: int, label: str) -> Json:
        """Press a button by label on the newest bot message that shows it."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"no chat {chat_id}; known chats: {sorted(self.chats)[:20]}")
        keyed = [m for m in chat.bot_messages() if "reply_markup" in m]
        for match in (label.__eq__, lambda text: text.startswith(label)):
            for message in keyed:
                for button in (b for r in message["reply_markup"]["inline_keyboard"] for b in r):
                    if not match(button.get("text", "")):
                        continue
                    if "callback_data" not in button:
                        raise AssertionError(f"button {label!r} has no callback_data: {button}")
                    return self._press(chat, message, button["callback_data"])
            rows = (chat.keyboard or {}).get("keyboard", [])
            for button in (b if isinstance(b, dict) else {"text": b} for r in rows for b in r):
                if match(button["text"]):
                    return self._press_reply_button(chat, button)
        inline = [_labels(m["reply_markup"]["inline_keyboard"]) for m in keyed]
        reply = _labels((chat.keyboard or {}).get("keyboard", []))
        raise AssertionError(
            f"no button {label!r} in chat {chat_id}; inline (newest first): {inline}; "
            f"reply keyboard: {reply}"
        )

    def _press_reply_button(self, chat: Chat, button: Json) -> Json:
        if button.get("request_location") or button.get("request_contact"):
            raise AssertionError(f"{button} asks for data: use user_shares_location instead")
        if chat.keyboard and chat.keyboard.get("one_time_keyboard"):
            chat.keyboard = None
        return self.user_sends(chat.id, button["text"], chat.language_code, chat.first_name)

    def user_presses_data(self, chat_id: int, data: str, message_id: int) -> Json:
        """Press a button by its data on any message, e.g. a stale or deleted one."""
        chat = self.chats.get(chat_id) or self.add_chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None:  # Telegram sends an InaccessibleMessage (date 0) for these
            message = {"chat": chat.info(), "message_id": message_id, "date": 0}
        return self._press(chat, message, data)

    def _press(self, chat: Chat, message: Json, data: str) -> Json:
        query_id = f"{chat.id}{len(self.callback_queries):06d}"
        self.callback_queries[query_id] = {"chat_id": chat.id, "answer": None}
        query = {
            "id": query_id,
            "from": chat.user(),
            "message": dict(message),
            "chat_instance": f"{abs(chat.id) * 7919 % 10**12}",
            "data": data,
        }
        return self.queue_update({"callback_query": query})
