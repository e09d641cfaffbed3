"""The terminal channel: type answers, or a button's number, and read the replies."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from bot.app import App
from dialogs.events import Button, Inbound, Kind, Reply

CHANNEL = "terminal"


class TerminalChat:
    """Turns lines into events and replies into numbered text; holds the last buttons."""

    def __init__(self, app: App, user: str, lang_hint: str | None, out: Callable[[str], None]):
        self.app, self.user, self.lang_hint, self.out = app, user, lang_hint, out
        self.buttons: list[Button] = []

    def event_for(self, line: str) -> Inbound:
        """A number picks a shown button; /word is a command; anything else is text."""
        base = {"channel": CHANNEL, "chat": self.user, "user": self.user}
        ident = {"external_id": uuid.uuid4().hex, "lang_hint": self.lang_hint}
        stripped = line.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(self.buttons):
            button = self.buttons[int(stripped) - 1]
            return Inbound(**base, kind=Kind.BUTTON, payload=button.payload, **ident)
        if stripped.startswith("/"):
            return Inbound(**base, kind=Kind.COMMAND, text=stripped, **ident)
        return Inbound(**base, kind=Kind.TEXT, text=line, **ident)

    async def send(self, line: str) -> None:
        """Handle one line and print what comes back."""
        delivery = await self.app.conversations.handle(self.event_for(line))
        self.buttons = []
        for reply in delivery.replies:
            await self._show(reply, delivery.contact_id, delivery.lang)

    async def _show(self, reply: Reply, contact_id: int | None, lang: str) -> None:
        """Print text, then the buttons numbered, continuing the count across replies."""
        self.out(reply.text)
        if reply.document:
            await self._hand_over(reply.document, contact_id, lang)
        for row in reply.buttons:
            cells = []
            for button in row:
                self.buttons.append(button)
                cells.append(f"[{len(self.buttons)}] {button.label}")
            self.out("   ".join(cells))
        self.out("")

    async def _hand_over(self, ref: str, contact_id: int | None, lang: str) -> None:
        """Write each PDF where the person can open it, and say where: that is sending it."""
        conversations = self.app.conversations
        for copy in conversations.files.copies(lang):
            data = await conversations.declaration_pdf(contact_id, ref, copy)
            if data is not None:
                path = conversations.files.write(ref, data, copy)
                conversations.declaration_sent(ref, copy)
                self.out(f"PDF: {path.resolve()}")


async def run(app: App, user: str, lang_hint: str | None) -> None:
    """Read lines until end of input; start as a person would, with /start."""
    chat = TerminalChat(app, user, lang_hint, print)
    await chat.send("/start")
    while True:
        try:
            line = await asyncio.to_thread(input, "> ")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip():
            await chat.send(line)
