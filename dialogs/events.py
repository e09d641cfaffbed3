"""What crosses the boundary between a channel and the conversation core."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of inbound event a channel can produce."""

    TEXT = "text"
    BUTTON = "button"
    LOCATION = "location"
    CONTACT = "contact"
    COMMAND = "command"


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


@dataclass(frozen=True, slots=True)
class Button:
    """A button; the payload is a short id (Telegram allows 64 bytes), never the label."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One localised message to send back; channels render buttons their own way."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    request_location: bool = False
    sensitive: bool = False
    document: str | None = field(default=None)
    """Reference code of a declaration whose printable PDF goes with this message."""

    def button_payloads(self) -> list[str]:
        """Every payload offered, in reading order."""
        return [b.payload for row in self.buttons for b in row]
