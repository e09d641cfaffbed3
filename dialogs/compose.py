"""A turn's replies as few messages as possible: Telegram sends about one a second per chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dialogs.events import Reply
from dialogs.screens import CHUNK


def _joinable(first: Reply, then: Reply, limit: int) -> bool:
    """Text may run on into the next reply; buttons, a PDF or an edit end a message.

    Buttons belong under the question they answer, and a PDF follows the message that
    names it, so nothing is joined after either; an edit replaces one message as it is.
    """
    return (
        not first.buttons
        and not first.request_location
        and first.document is None
        and not first.replaces
        and not then.replaces
        and len(first.text) + 2 + len(then.text) <= limit
    )


def compose(replies: Sequence[Reply], limit: int = CHUNK) -> list[Reply]:
    """Join consecutive replies where the text fits one message and only the last has buttons.

    Order is kept, so an emergency reply that came first stays first.
    """
    out: list[Reply] = []
    for reply in replies:
        if out and _joinable(out[-1], reply, limit):
            first = out[-1]
            out[-1] = replace(
                reply,
                text=f"{first.text}\n\n{reply.text}",
                sensitive=first.sensitive or reply.sensitive,
            )
        else:
            out.append(reply)
    return out
