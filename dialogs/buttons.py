"""Button payloads: short ids that fit Telegram's 64 bytes and never carry a label."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dialogs.events import Button

LANG = "lang:"
MENU = "nav:menu"
BACK = "nav:back"
SKIP = "nav:skip"
DECLARE = "menu:declare"
FIND = "menu:find"
RIGHTS = "menu:rights"
TALK = "menu:talk"
ERASE = "menu:erase"
CHANGE_LANG = "menu:lang"
OPTION = "opt:"
UNKNOWN_DATE = "opt:@unknown"
MULTI_DONE = "multi:done"
SUBMIT = "rv:submit"
EDIT = "edit:"
PART = "part:"
CONTINUE = "res:continue"
RESTART = "res:restart"
TOPIC = "rt:"
TOPIC_UP = "rt:@up"
SERVICE = "sv:"
WARD = "wd:"
MORE = "find:more"
KEEP_TYPED = "adr:keep"
ERASE_YES = "er:yes"
ERASE_NO = "er:no"
LEAVE_YES = "cs:leave"
LEAVE_NO = "cs:stay"
REMINDERS = "menu:reminders"
REMINDER = "rem:"
"""A reminder's answer, rem:<answer>:<reminder id>: pressed from any screen, even in a case."""
REMINDER_OK, REMINDER_MOVE, REMINDER_NO = "rem:ok:", "rem:move:", "rem:no:"
PREFS = "rp:"
"""The reminder preferences screen: rp:on, rp:off, rp:h:<safe hours>, rp:word, rp:back."""
PREFS_ON, PREFS_OFF, PREFS_HOURS = "rp:on", "rp:off", "rp:h:"
PREFS_WORD, PREFS_WORD_NONE, PREFS_BACK = "rp:word", "rp:word:none", "rp:back"

ALWAYS = frozenset({MENU, TALK, ERASE})
"""Safety exits that work from any screen, even under an old message."""


def rows(buttons: Sequence[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    """Lay buttons out in rows of per_row."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def column(buttons: Iterable[Button]) -> tuple[tuple[Button, ...], ...]:
    """One button per row: easiest to read and to press."""
    return tuple((b,) for b in buttons)
