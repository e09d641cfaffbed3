"""Reminders from the person's side: the neutral message, and its three answers.

A reminder arrives as a SYSTEM event ("reminder:due") whenever the ticker fires it, so it
may land on any screen, in a declaration or in a case. It never moves the person: the
screen stays where it was, and the answers work from anywhere, by button or, right after
the reminder, by typing 1, 2 or 3. Someone else may be holding the phone, so the words
say only that something is planned, when, and the person's own code word if they chose
one: never what the service is, who arranged it, or why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from dialogs import buttons as B
from dialogs.events import Button, Inbound, Kind, Reply
from dialogs.i18n import N_, Translator
from dialogs.text import fold
from dialogs.turn import Turn

DUE = "reminder:due"
"""The SYSTEM payload of a reminder that fell due (data: reminder, at, what, code_word)."""
WHAT = {"visit": N_("reminder.what.visit"), "meeting": N_("reminder.what.meeting")}
"""The neutral noun for each kind of appointment, used when the person chose no code word."""
CHOICES = (
    (B.REMINDER_OK, "confirmed", N_("reminder.confirm")),
    (B.REMINDER_MOVE, "reschedule", N_("reminder.reschedule")),
    (B.REMINDER_NO, "cancelled", N_("reminder.cancel")),
)
"""Payload prefix, recorded answer and label of each button, in the order they are shown."""
TOLD = {
    "confirmed": N_("reminder.told.confirmed"),
    "reschedule": N_("reminder.told.reschedule"),
    "cancelled": N_("reminder.told.cancelled"),
}


def moment(t: Translator, at: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The time and the day in the person's language, on the service's clock."""
    local = at.astimezone(zone)
    clock = format_time(local.time(), "H:mm", locale=t.lang)
    pattern = "EEEE d/M" if t.lang == "vi" else "EEEE d MMMM"
    return clock, format_date(local.date(), pattern, locale=t.lang)


def message(
    t: Translator, reminder_id: int, what: str, code_word: str, at: datetime, zone: ZoneInfo
) -> Reply:
    """ "Nhắc lịch: cuộc hẹn lúc 9:00, Thứ Bảy 5/12", and confirm, reschedule or cancel.

    The buttons carry their own keys: they answer the reminder, not the screen below it.
    """
    clock, day = moment(t, at, zone)
    noun = code_word.strip() or t(WHAT.get(what, WHAT["visit"]))
    buttons = [
        Button(t(label), f"{prefix}{reminder_id}", str(n))
        for n, (prefix, _, label) in enumerate(CHOICES, 1)
    ]
    return Reply(t("reminder.due", what=noun, time=clock, day=day), B.column(buttons))


def on_system(turn: Turn, event: Inbound, zone: ZoneInfo) -> bool:
    """Show a due reminder over whatever screen is open; False for other system events.

    Any system event leaves the reminder no longer the last thing shown. A malformed
    reminder is not shown.
    """
    turn.state.reminder = None
    if event.payload != DUE:
        return False
    data = event.data
    try:
        reminder_id = int(data["reminder"])
        at = datetime.fromisoformat(str(data["at"]))
    except (KeyError, TypeError, ValueError):
        return True
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    what, code_word = str(data.get("what") or ""), str(data.get("code_word") or "")
    turn.say(message(turn.t, reminder_id, what, code_word, at, zone))
    turn.state.reminder = reminder_id
    return True


def _typed(turn: Turn, text: str) -> str:
    """Right after a reminder, its key or its label typed stands for its button."""
    wanted = fold(text).strip(" .!?")
    for n, (prefix, _, label) in enumerate(CHOICES, 1):
        if wanted in (str(n), fold(turn.t(label))):
            return f"{prefix}{turn.state.reminder}"
    return ""


def answer_of(turn: Turn, event: Inbound, text: str) -> tuple[int, str] | None:
    """The reminder id and answer this event gives, if it answers a reminder."""
    payload = event.payload if event.kind is Kind.BUTTON else ""
    if event.kind is Kind.TEXT and turn.state.reminder is not None:
        payload = _typed(turn, text)
    for prefix, answer, _ in CHOICES:
        number = payload.removeprefix(prefix)
        if payload.startswith(prefix) and number.isdigit():
            return int(number), answer
    return None


async def answered(turn: Turn, event: Inbound, text: str) -> bool:
    """Record a reminder's answer and say so briefly; False when the event is not one.

    Either way the reminder is no longer the last thing shown. The screen the person was
    on is not shown again: it may be a sensitive question, and the reminder came at a time
    chosen for being safe, not for talking.
    """
    found = answer_of(turn, event, text)
    turn.state.reminder = None
    if found is None:
        return False
    reminder_id, answer = found
    recorded = await turn.services.answer_reminder(reminder_id, answer)
    turn.say(Reply(turn.t(TOLD[answer] if recorded else N_("reminder.gone"))))
    return True
