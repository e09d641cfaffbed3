"""A caseworker links this chat to their console account: /link CODE, or /start link_CODE.

The code is the one-time code the console shows on the caseworker's own page. Linking
lets the service send them their reminders and urgent alerts here. It is answered
wherever the chat stands and changes nothing in the conversation: a caseworker's chat
is not a person's case.
"""

from __future__ import annotations

import re

from dialogs.events import Inbound, Kind, Reply
from dialogs.turn import Turn

_LINK = re.compile(r"^/(?:link(?:@\w+)?(?:\s+(\S*))?|start(?:@\w+)?\s+link_(\S*))\s*$", re.I)
CODE_LENGTH = 32
"""Longer than any code the console makes: anything longer is not even looked up."""


def code_of(event: Inbound) -> str | None:
    """The code a /link or /start link_ command carries ("" when none); None: not a link."""
    if event.kind is not Kind.COMMAND:
        return None
    found = _LINK.match(event.text.strip())
    if found is None:
        return None
    return (found.group(1) or found.group(2) or "").strip()


async def linked(turn: Turn, event: Inbound) -> bool:
    """Answer a link command: linked as whom, or the code is wrong or expired."""
    code = code_of(event)
    if code is None:
        return False
    username = None
    if code and len(code) <= CODE_LENGTH:
        username = await turn.services.link_caseworker(code)
    if username is None:
        turn.say(Reply(turn.t("link.failed")))
    else:
        turn.say(Reply(turn.t("link.done", username=username)))
    return True
