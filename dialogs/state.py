"""Conversation state: plain data that survives restarts, stored encrypted by the caller."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any


class Screen(StrEnum):
    """Where the person is in the conversation."""

    NEW = "new"
    LANG = "lang"
    MENU = "menu"
    STEP = "step"
    REVIEW = "review"
    REVIEW_PART = "review_part"
    RESUME = "resume"
    RIGHTS = "rights"
    ERASE = "erase"
    FIND = "find"
    FIND_PICK = "find_pick"
    FIND_RESULTS = "find_results"
    CASE = "case"
    """In the caseworker queue or talking with a caseworker: what is sent goes to them."""
    LEAVE = "leave"
    """Asked whether to leave the conversation with the caseworker."""
    REMINDERS = "reminders"
    """The person's reminder preferences: consent, safe hours, code word."""
    CODE_WORD = "code_word"
    """Asked to type the code word that reminders use."""


@dataclass
class State:
    """Everything the engine needs to continue a conversation where it stopped."""

    lang: str | None = None
    screen: Screen = Screen.NEW
    flow: str | None = None
    step: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    editing: bool = False
    pending: list[str] = field(default_factory=list)
    topic: str | None = None
    urgent: bool = False
    resume_to: Screen | None = None
    search: dict[str, Any] = field(default_factory=dict)
    """The directory search in progress: ward or point, service filter, page offset."""
    last_seen: str | None = None
    part: str | None = None
    """The section of the review whose questions are listed for editing."""
    case: str | None = None
    """"waiting" in the caseworker queue, "active" once a caseworker joined; else None."""
    relayed: bool = False
    """The person was told once, while waiting, that their messages reach the caseworker."""
    misunderstood: int = 0
    """Messages in a row the assistant did not understand; at two it offers a person."""
    reminder: int | None = None
    """The reminder shown last, while nothing else was shown since: "1", "2", "3" answer it."""
    prefs: dict[str, Any] = field(default_factory=dict)
    """The reminder preferences as the REMINDERS screen last showed them, to show it again."""

    VERSION = 1

    @property
    def in_declaration(self) -> bool:
        """True while a declaration has been started and not submitted or abandoned."""
        return self.flow is not None

    def seen_at(self) -> datetime | None:
        """When the person last wrote, if known."""
        return datetime.fromisoformat(self.last_seen) if self.last_seen else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for storage."""
        data = asdict(self)
        data["v"] = self.VERSION
        return data

    @classmethod
    def from_dict(cls, data: Any) -> State:
        """Rebuild from storage; anything malformed yields a fresh state, never a crash."""
        if not isinstance(data, dict) or data.get("v") != cls.VERSION:
            return cls()
        try:
            kwargs = {f.name: data[f.name] for f in fields(cls) if f.name in data}
            state = cls(**kwargs)
            state.screen = Screen(state.screen)
            state.resume_to = Screen(state.resume_to) if state.resume_to else None
        except (TypeError, ValueError):
            return cls(lang=data.get("lang") if isinstance(data.get("lang"), str) else None)
        if not isinstance(state.answers, dict) or not isinstance(state.history, list):
            return cls(lang=state.lang)
        return state
