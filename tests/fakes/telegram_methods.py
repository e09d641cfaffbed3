"""The Bot API methods the hotline uses, with Telegram's checks and error wording."""

from __future__ import annotations

import json
import mimetypes
import re
from typing import Any

from tests.fakes.telegram_media import MediaState
from tests.fakes.telegram_state import (
    DEFAULT_UPDATES,
    ApiError,
    Chat,
    Json,
    UploadedFile,
    bad_request,
    utf16_len,
)
from tests.fakes.telegram_wire import html_to_text

METHODS = [
    "getMe",
    "getUpdates",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "sendDocument",
    "getFile",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendChatAction",
    "close",
    "logOut",
]
CANONICAL = {name.lower(): name for name in METHODS}  # Telegram ignores method-name case
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
DELETE_WINDOW = 48 * 3600
ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _snake(name: str) -> str:
    return "_" + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class BotApi(MediaState):
    """The bot's side of the fake: method handlers that read and change the state."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.webhook: Json | None = None
        self.webhook_error: tuple[int, str] | None = None
        self.my_commands: dict[tuple[str, str], list[Json]] = {}

    def dispatch(self, method: str, params: Json) -> Any:
        """Run one Bot API method (not getUpdates, which waits) and return its result."""
        name = CANONICAL.get(method.lower())
        if name is None or name == "getUpdates":
            raise ApiError(404, "Not Found")
        return getattr(self, _snake(name))(params)

    def commands(self, language_code: str = "", scope: Json | None = None) -> list[Json]:
        """The commands set for that scope and language, as getMyCommands returns them."""
        return self.my_commands.get((_scope_key(scope), language_code), [])

    # Helpers
    def _target(self, p: Json) -> Chat:
        if "chat_id" not in p:
            raise bad_request("chat_id is empty")
        chat = self.chats.get(p["chat_id"]) if isinstance(p["chat_id"], int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def _text(self, p: Json, key: str, limit: int, too_long: str) -> str:
        text = str(p.get(key) or "")
        if p.get("parse_mode") == "HTML":
            text = html_to_text(text)
        text = text.strip()
        if utf16_len(text) > limit:
            raise bad_request(too_long)
        return text

    def _markup(self, chat: Chat, markup: Any) -> Json:
        if markup is None:
            return {}
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            for button in (b for row in markup["inline_keyboard"] for b in row):
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            return {"reply_markup": markup} if any(markup["inline_keyboard"]) else {}
        if "keyboard" in markup:
            chat.keyboard = markup
        elif markup.get("remove_keyboard"):
            chat.keyboard = None
        return {}

    def _bot_message(self, chat: Chat, p: Json, **content: Any) -> Json:
        message: Json = {
            "message_id": chat.next_id,
            "from": self.bot_user,
            "chat": chat.info(),
            "date": self._ts(),
            **content,
            **self._markup(chat, p.get("reply_markup")),
        }
        if p.get("protect_content"):
            message["has_protected_content"] = True
        chat.messages[chat.next_id] = message
        chat.next_id += 1
        return message

    def _edited(self, p: Json) -> tuple[Chat, Json]:
        if "inline_message_id" in p:
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._target(p)
        message = chat.messages.get(p.get("message_id", 0))
        if message is None:
            raise bad_request("message to edit not found")
        if not message["from"]["is_bot"]:
            raise bad_request("message can't be edited")
        return chat, message

    def _apply_edit(self, message: Json, markup: Json, **content: Any) -> Json:
        same = all(message.get(k) == v for k, v in content.items())
        if same and message.get("reply_markup") == markup.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        message.pop("reply_markup", None)  # an edit without reply_markup drops the keyboard
        message.update(content, **markup, edit_date=self._ts())
        return message

    def _delete(self, chat: Chat, message_id: Any) -> bool:
        message = chat.messages.get(message_id)
        if message is None or self._ts() - message["date"] >= DELETE_WINDOW:
            return False
        del chat.messages[message_id]
        self.deleted.append((chat.id, message_id))
        return True

    def _set_allowed(self, p: Json) -> None:
        if isinstance(allowed := p.get("allowed_updates"), list):
            self.allowed_updates = frozenset(allowed) or DEFAULT_UPDATES

    # Methods
    def _get_me(self, p: Json) -> Json:
        flags = "can_join_groups can_read_all_group_messages supports_inline_queries"
        return {**self.bot_user, **dict.fromkeys(flags.split(), False)}

    def _send_message(self, p: Json) -> Json:
        chat = self._target(p)
        if not (text := self._text(p, "text", 4096, "message is too long")):
            raise bad_request("message text is empty")
        return self._bot_message(chat, p, text=text)

    def _edit_message_text(self, p: Json) -> Json:
        chat, message = self._edited(p)
        if not (text := self._text(p, "text", 4096, "message is too long")):
            raise bad_request("message text is empty")
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(message, self._markup(chat, p.get("reply_markup")), text=text)

    def _edit_message_reply_markup(self, p: Json) -> Json:
        chat, message = self._edited(p)
        return self._apply_edit(message, self._markup(chat, p.get("reply_markup")))

    def _delete_message(self, p: Json) -> bool:
        chat = self.chats.get(p.get("chat_id", 0))
        if chat is None:
            raise bad_request("chat not found")
        if not self._delete(chat, p.get("message_id")):
            raise bad_request("message to delete not found")
        return True

    def _delete_messages(self, p: Json) -> bool:
        chat = self.chats.get(p.get("chat_id", 0))
        if chat is None:
            raise bad_request("chat not found")
        for message_id in p.get("message_ids") or []:
            self._delete(chat, message_id)
        return True

    def _answer_callback_query(self, p: Json) -> bool:
        query = self.callback_queries.get(str(p.get("callback_query_id")))
        if query is None or query["answer"] is not None:
            raise bad_request(QUERY_INVALID)
        query["answer"] = {k: v for k, v in p.items() if k != "callback_query_id"}
        return True

    def _send_document(self, p: Json) -> Json:
        chat = self._target(p)
        document = p.get("document")
        if isinstance(document, UploadedFile):
            if not document.data:
                raise bad_request("file must be non-empty")
            file_id = f"BQACAgIAAxkBAAI{len(self.files):06d}"
            self.files[file_id] = document
        elif document is None:
            raise bad_request("there is no document in the request")
        elif (file_id := str(document)) not in self.files:
            raise bad_request("wrong file identifier/HTTP URL specified")
        upload = self.files[file_id]
        content: Json = {
            "document": {
                "file_name": upload.filename,
                "mime_type": mimetypes.guess_type(upload.filename)[0] or upload.content_type,
                "file_id": file_id,
                "file_unique_id": f"AgAD{file_id[-6:]}",
                "file_size": len(upload.data),
            }
        }
        if caption := self._text(p, "caption", 1024, "message caption is too long"):
            content["caption"] = caption
        return self._bot_message(chat, p, **content)

    def _set_my_commands(self, p: Json) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
        key = (_scope_key(p.get("scope")), str(p.get("language_code") or ""))
        self.my_commands[key] = [
            {"command": c["command"], "description": c.get("description", "")} for c in commands
        ]
        return True

    def _get_my_commands(self, p: Json) -> list[Json]:
        return self.commands(str(p.get("language_code") or ""), p.get("scope"))

    def _delete_my_commands(self, p: Json) -> bool:
        self.my_commands.pop((_scope_key(p.get("scope")), str(p.get("language_code") or "")), None)
        return True

    def _set_webhook(self, p: Json) -> bool:
        url, secret = str(p.get("url") or ""), p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._set_allowed(p)
        if p.get("drop_pending_updates"):
            self.updates.clear()
        max_connections = p.get("max_connections", 40)
        hook = {"url": url, "secret_token": secret, "max_connections": max_connections}
        self.webhook = hook if url else None
        self.webhook_error = None
        return True

    def _delete_webhook(self, p: Json) -> bool:
        if p.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = None
        return True

    def _get_webhook_info(self, p: Json) -> Json:
        info: Json = {"url": "", "has_custom_certificate": False}
        if self.webhook:
            info.update(url=self.webhook["url"], max_connections=self.webhook["max_connections"])
        info["pending_update_count"] = len(self.updates)
        if self.webhook_error:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        if self.allowed_updates != DEFAULT_UPDATES:
            info["allowed_updates"] = sorted(self.allowed_updates)
        return info

    def _send_chat_action(self, p: Json) -> bool:
        self._target(p)
        if p.get("action") not in ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _close(self, p: Json) -> bool:
        return True

    def _log_out(self, p: Json) -> bool:
        return True


def _scope_key(scope: Any) -> str:
    return json.dumps(scope or {"type": "default"}, sort_keys=True)
