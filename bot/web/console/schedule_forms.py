"""Reading the schedule forms, and showing appointments and reminders, in the service zone.

Caseworkers type wall-clock times of the service zone (settings.timezone), whatever their
browser's zone: a visit at 09:00 is 09:00 in Vietnam. Each refusal is a message id that
names the field and what to fix, so the page can show it next to the kept form.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.reminders.recurrence import PRESETS, validate
from bot.web.console.schedule_texts import ANSWERS, REASONS, STATES, W
from bot.web.console.views import when
from db.models import FOR_PERSON, VISIT, Appointment, AppointmentPerson, Reminder
from dialogs.i18n import Translator

PLACE_MAX, NOTE_MAX, TITLE_MAX, RULE_MAX = 200, 1000, 120, 200
FAR = timedelta(days=3 * 366)
"""The latest first date a form accepts: a typo of the year should not plan a decade."""
log = logging.getLogger(__name__)
NO_ANSWER, CASE_N, VISIT_OF, FOR_PERSON_LABEL = (
    W[key] for key in ("no_answer", "case_n", "visit_of", "for_person")
)
"""Message ids taken by name: extraction finds them in schedule_texts, not here."""
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class BadForm(ValueError):
    """The form's fields are refused; the message id (str(error)) says which and why."""


RULES_REFUSALS = {
    "console.error.past": "console.schedule.error.past",
    "console.error.rule": "console.schedule.error.rule",
}
"""The scheduling rules' own refusals (ValueError(message id)), as the form words them."""


def refusal(error: ValueError) -> str:
    """The message id to show for a refused form or a refusal of the scheduling rules."""
    if isinstance(error, BadForm):
        return str(error)
    found = RULES_REFUSALS.get(str(error))
    if found is None:
        log.warning("scheduling refused the form: %s", str(error)[:80])
    return found or "console.schedule.error.not_saved"


def local_start(raw_date: str, raw_time: str) -> datetime:
    """The typed date and time as a naive wall-clock datetime (the rule's start)."""
    try:
        day = date.fromisoformat(raw_date.strip())
    except ValueError:
        raise BadForm("console.schedule.error.date") from None
    match = TIME.match(raw_time.strip())
    if match is None:
        raise BadForm("console.schedule.error.time")
    return datetime.combine(day, time(int(match.group(1)), int(match.group(2))))


def parse_when(raw_date: str, raw_time: str, zone: str, now: datetime) -> datetime:
    """A future moment in UTC from a date and time typed in the service zone."""
    local = local_start(raw_date, raw_time)
    at = local.replace(tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))
    if at <= now or at > now + FAR:
        raise BadForm("console.schedule.error.past")
    return at


def text_field(raw: str, limit: int, error: str, required: bool = False) -> str:
    """A short free text (place, note, title): trimmed, required or not, at most limit."""
    value = (raw or "").replace("\r\n", "\n").strip()
    if (required and not value) or len(value) > limit:
        raise BadForm(error)
    return value


def presets() -> list[tuple[str, str, str]]:
    """The named rules of the meeting form: (key, message id, rule)."""
    return [(str(k), str(m), str(r)) for k, m, r in PRESETS]


def choose_rule(preset: str, custom: str) -> str:
    """The meeting's rule: a preset by key, or a custom RRULE checked by recurrence.validate."""
    if preset and preset != "custom":
        for key, _msgid, rule in presets():
            if key == preset:
                return rule
        raise BadForm("console.schedule.error.rule")
    raw = custom.strip()
    if not raw or len(raw) > RULE_MAX:
        raise BadForm("console.schedule.error.rule")
    try:
        return str(validate(raw.removeprefix("RRULE:")))
    except ValueError:
        raise BadForm("console.schedule.error.rule") from None


def _answer(
    person: AppointmentPerson, t: Translator, zone: str, at: datetime | None
) -> dict[str, Any]:
    """One person of an appointment, by case number only, and their answer about `at`.

    An answer about an earlier time (last month's meeting, a visit since moved) is not
    shown as theirs for this one.
    """
    current = person.answer in ANSWERS and person.answered_for == at
    label = t(ANSWERS[person.answer or ""]) if current else t(NO_ANSWER)
    return {
        "case_id": person.case_id, "who": t(CASE_N, id=person.case_id or "?"),
        "answer": person.answer if current else "", "answer_label": label,
        "for": when(person.answered_for, t, zone), "at": when(person.answered_at, t, zone),
    }  # fmt: skip


def appointment_view(
    appt: Appointment, people: list[AppointmentPerson], t: Translator, zone: str,
    rule_labels: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    """An appointment as the lists show it; never a person's name or chat, only case numbers."""
    local = appt.next_at or appt.starts_at
    is_visit = appt.kind == VISIT
    label = t(VISIT_OF, id=appt.case_id or "?") if is_visit else (appt.title or "")
    at_zone = local.astimezone(ZoneInfo(zone)) if local else None
    return {
        "id": appt.id, "kind": appt.kind, "visit": is_visit, "label": label,
        "case_id": appt.case_id, "when": when(local, t, zone), "team": appt.team,
        "date": at_zone.date().isoformat() if at_zone else "",
        "time": at_zone.strftime("%H:%M") if at_zone else "",
        "place": appt.place or "", "note": appt.note or "",
        "rule": rule_labels.get(appt.rrule or "", appt.rrule or ""),
        "people": [_answer(p, t, zone, appt.next_at) for p in people],
    }  # fmt: skip


def reminder_view(
    reminder: Reminder, appts: dict[int, Appointment], t: Translator, zone: str,
    names: dict[int, str], case_of: dict[tuple[int, int], int | None],
) -> dict[str, Any]:  # fmt: skip
    """A reminder row: for whom (an account name, or a person by case number), when, state."""
    appt = appts.get(reminder.appointment_id or 0)
    if reminder.kind == FOR_PERSON:
        case_id = case_of.get((reminder.appointment_id or 0, reminder.contact_id or 0))
        who = t(FOR_PERSON_LABEL, id=case_id or reminder.case_id or "?")
    else:
        who = names.get(reminder.caseworker_id or 0, "?")
    what = ""
    if appt is not None:
        what = t(VISIT_OF, id=appt.case_id or "?") if appt.kind == VISIT else appt.title or ""
    reason = reminder.reason or ""
    return {
        "id": reminder.id, "what": what, "who": who, "appointment_id": reminder.appointment_id,
        "case_id": appt.case_id if appt is not None else reminder.case_id,
        "due": when(reminder.due_at, t, zone), "occurrence": when(reminder.occurrence_at, t, zone),
        "state": t(STATES.get(reminder.status, STATES["pending"])),
        "reason": t(REASONS[reason]) if reason in REASONS else reason,
    }  # fmt: skip
