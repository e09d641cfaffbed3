"""The terminal channel: type answers, or a button's number, and read the replies.

The numbers are the engine's (Button.key), so typing one means the same here as on Zalo or
the web chat; this adapter only prints them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from bot.app import App
from dialogs.events import Inbound, Kind, Reply

CHANNEL = "terminal"


class TerminalChat:
    """Turns lines into events and replies into text with each button's number."""

    def __init__(self, app: App, user: str, lang_hint: str | None, out: Callable[[str], None]):
        self.app, self.user, self.lang_hint, self.out = app, user, lang_hint, out

    def event_for(self, line: str) -> Inbound:
        """/word is a command; anything else, numbers too, is text that the engine reads."""
        base = {"channel": CHANNEL, "chat": self.user, "user": self.user}
        ident = {"external_id": uuid.uuid4().hex, "lang_hint": self.lang_hint}
        stripped = line.strip()
        if stripped.startswith("/"):
            return Inbound(**base, kind=Kind.COMMAND, text=stripped, **ident)
        return Inbound(**base, kind=Kind.TEXT, text=line, **ident)

    async def send(self, line: str) -> None:
        """Handle one line and print what comes back."""
        delivery = await self.app.conversations.handle(self.event_for(line))
        for reply in delivery.replies:
            await self._show(reply, delivery.contact_id, delivery.lang)

    async def _show(self, reply: Reply, contact_id: int | None, lang: str) -> None:
        """Print text, then the buttons with the numbers the engine gave them."""
        self.out(reply.text)
        if reply.document:
            await self._hand_over(reply.document, contact_id, lang)
        for row in reply.buttons:
            self.out("   ".join(f"[{b.key}] {b.label}" if b.key else b.label for b in row))
        if reply.request_location:  # no location button here: say how to type one
            t = self.app.content.catalogs.translator(lang)
            hint = t("location.typed")
            self.out(f"{reply.request_location}: {hint}")
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
