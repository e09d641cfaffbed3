"""How Telegram reads what a bot sends: form or JSON fields, attached files, HTML text."""

from __future__ import annotations

import json
from contextlib import suppress
from html.parser import HTMLParser

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.hdrs import CONTENT_TYPE

from tests.fakes.telegram_state import Json, UploadedFile, bad_request

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Form fields that stay strings; every other form value is JSON (numbers, bools, objects).
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "language_code",
        "action",
        "callback_query_id",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "ip_address",
        "name",
        "description",
        "short_description",
        "emoji",
        "title",
    }
)
HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)


async def read_parts(reader: MultipartReader, raw: Json, files: dict[str, UploadedFile]) -> None:
    """Split a multipart body into text fields and uploaded files (kept in memory)."""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        if part.filename is None:
            raw[part.name] = await part.text()
        else:
            kind = part.headers.get(CONTENT_TYPE, "application/octet-stream")
            files[part.name] = UploadedFile(part.filename, kind, bytes(await part.read()))


def decode(raw: Json, files: dict[str, UploadedFile]) -> Json:
    """Form values as Telegram reads them: JSON where JSON is meant, attach:// as the file."""
    params: Json = {}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            value = files.pop(value[9:])
        elif isinstance(value, str) and key not in STRING_FIELDS:
            with suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return {**files, **params}  # files posted under their own field name, not attach://


async def read_params(request: web.Request) -> Json:
    """Query string, JSON body, urlencoded or multipart form: all are valid Bot API calls."""
    raw: Json = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json" and request.can_read_body:
        body = await request.json()
        raw.update(body if isinstance(body, dict) else {})
    elif request.content_type == "multipart/form-data":
        await read_parts(await request.multipart(), raw, files)
    elif request.can_read_body:
        raw.update(await request.post())
    return decode(raw, files)


class _Html(HTMLParser):
    """Telegram's HTML parse mode: a few tags allowed, the rest is a 400."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.open: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        chars = sum(len(part) + 1 for part in self.source.split("\n")[: line - 1]) + col
        return len(self.source[:chars].encode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise bad_request(
                f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset '
                f"{self._offset()}"
            )
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        where = f"at byte offset {self._offset()}"
        if not self.open:
            raise bad_request(f"can't parse entities: Unexpected end tag {where}")
        if self.open[-1] != tag:
            raise bad_request(
                f'can\'t parse entities: Unmatched end tag {where}, expected "</{self.open[-1]}>",'
                f' found "</{tag}>"'
            )
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        """The plain text Telegram would show, or a 400 for unclosed tags."""
        self.feed(self.source)
        self.close()
        if self.open:
            raise bad_request(
                "can't parse entities: Can't find end tag corresponding to start tag "
                f'"{self.open[-1]}"'
            )
        return "".join(self.parts)


def html_to_text(source: str) -> str:
    """The plain text Telegram shows for an HTML parse-mode message."""
    return _Html(source).text()
