"""One turn of a conversation: the state being changed and the replies being gathered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dialogs.directory import DirectoryPort
from dialogs.events import Reply
from dialogs.i18n import Translator
from dialogs.ports import CaseServices
from dialogs.state import State


@dataclass
class Turn:
    """What a handler needs: who, when, in which language, and where to put replies."""

    state: State
    t: Translator
    now: datetime
    today: date
    services: CaseServices
    directory: DirectoryPort
    replies: list[Reply] = field(default_factory=list)
    erased: bool = False
    confused: bool = False
    relay: bool = False
    """What the person sent is for the caseworker: the application stores and shows it."""
    """The assistant did not understand this message (counted towards offering a person)."""

    @property
    def ctx(self) -> dict[str, Any]:
        """What named predicates may look at besides the answers."""
        return {"today": self.today}

    def say(self, replies: Reply | Iterable[Reply]) -> None:
        """Queue one or more replies, in order."""
        if isinstance(replies, Reply):
            self.replies.append(replies)
        else:
            self.replies.extend(replies)
