"""What crosses the boundary between a channel and the conversation core."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The kinds of inbound event a channel can produce."""

    TEXT = "text"
    BUTTON = "button"
    LOCATION = "location"
    CONTACT = "contact"
    COMMAND = "command"
    MEDIA = "media"
    """A voice note, photo, file or sticker; data["media"] says which."""
    SYSTEM = "system"
    """Not from the person: a caseworker joined, replied, transferred or closed the case,
    or a reminder fell due ("reminder:due").

    payload names what happened ("case:joined"); external_id is deterministic, so the
    de-duplication of inbound events applies it exactly once."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """One event from a person, already translated out of the channel's own format."""

    channel: str
    chat: str
    user: str
    kind: Kind
    text: str = ""
    payload: str = ""
    lang_hint: str | None = None
    external_id: str | None = None
    location: tuple[float, float] | None = None
    message_id: str | None = None
    """The channel's id of the person's message, so erasing can delete it from the chat."""
    pressed_message_id: str | None = None
    """The channel's id of the bot's message whose button was pressed, to edit it in place."""
    data: dict[str, Any] = field(default_factory=dict)
    """Details of a MEDIA or SYSTEM event (media kind, mime type, size; a verification code)."""
    attachment: bytes | None = field(default=None, repr=False)
    """The bytes of a MEDIA event, when the channel could fetch them within the size limit."""


@dataclass(frozen=True, slots=True)
class Button:
    """A button; the payload is a short id (Telegram allows 64 bytes), never the label."""

    label: str
    payload: str
    key: str = ""
    """What to type instead of pressing it ("3"), set by the engine; empty: type the label."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One localised message to send back; channels render buttons their own way."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    request_location: str = ""
    """The label of a share-my-location button, where the question wants one; else empty."""
    sensitive: bool = False
    document: str | None = field(default=None)
    """Reference code of a declaration whose printable PDF goes with this message."""
    replaces: bool = False
    """The same screen again after a press (a tick): a channel that can edit the pressed
    message does so instead of sending a new one."""

    def button_payloads(self) -> list[str]:
        """Every payload offered, in reading order."""
        return [b.payload for row in self.buttons for b in row]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, for the outbox."""
        return {
            "text": self.text,
            "buttons": [[[b.label, b.payload, b.key] for b in row] for row in self.buttons],
            "request_location": self.request_location,
            "sensitive": self.sensitive,
            "document": self.document,
            "replaces": self.replaces,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        """Rebuild a reply stored by to_dict."""
        rows = tuple(tuple(Button(*map(str, cell[:3])) for cell in row) for row in data["buttons"])
        return cls(
            text=data["text"],
            buttons=rows,
            request_location=str(data.get("request_location") or ""),
            sensitive=bool(data.get("sensitive")),
            document=data.get("document"),
            replaces=bool(data.get("replaces")),
        )
