"""The terminal channel: type answers, or a button's number, and read the replies.

The numbers are the engine's (Button.key), so typing one means the same here as on Zalo or
the web chat; this adapter only prints them.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from dataclasses import replace

from bot.app import App
from bot.channels.keyboard import Keyboard
from bot.services.conversation import Delivery
from dialogs import buttons as B
from dialogs.events import Inbound, Kind, Reply
from dialogs.i18n import N_

CHANNEL = "terminal"
CLEAR = "\033[H\033[2J\033[3J"
"""Home, clear the screen, and clear the scrollback where the terminal supports it."""


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
        await self.show(await self.app.conversations.handle(self.event_for(line)))

    async def begin(self) -> None:
        """Start as a person would, with /start; a --lang answers the language question.

        A returning person who stored another language changes it, as /lang would.
        """
        delivery = await self.app.conversations.handle(self.event_for("/start"))
        choice = f"{B.LANG}{self.lang_hint}"
        offered = any(choice in r.button_payloads() for r in delivery.replies)
        if self.lang_hint and (offered or delivery.lang != self.lang_hint):
            if not offered:
                await self.app.conversations.handle(self.event_for("/lang"))
            press = Inbound(
                channel=CHANNEL, chat=self.user, user=self.user, kind=Kind.BUTTON,
                payload=choice, lang_hint=self.lang_hint, external_id=uuid.uuid4().hex,
            )  # fmt: skip
            delivery = await self.app.conversations.handle(press)
        await self.show(delivery)

    async def show(self, delivery: Delivery) -> None:
        """Print the replies; after an erase, first clear the screen and say so."""
        replies = delivery.replies
        if delivery.contact_id is None and replies:
            replies = self._after_erase(replies, delivery.lang)
        for reply in replies:
            await self._show(reply, delivery.contact_id, delivery.lang)

    def _after_erase(self, replies: list[Reply], lang: str) -> list[Reply]:
        """The erase outcome, with what happened to this screen instead of advice for phones."""
        t = self.app.content.catalogs.translator(lang)
        cleared = sys.stdout.isatty()
        if cleared:
            self.out(CLEAR)
        screen = t(N_("terminal.erased_screen") if cleared else N_("terminal.erased_output"))
        return [replace(r, text=r.text.replace(t("erase.own_side"), screen)) for r in replies]

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


def echo(text: str) -> None:
    """Print at once: the person is waiting for it."""
    print(text, flush=True)


async def run(app: App, user: str, lang_hint: str | None) -> None:
    """Read lines until end of input or Ctrl-C, which leave at once."""
    chat = TerminalChat(app, user, lang_hint, echo)
    keyboard = Keyboard()
    try:
        await chat.begin()
        while (line := await keyboard.line()) is not None:
            if line.strip():
                await chat.send(line)
        echo("")
    finally:
        keyboard.close()
