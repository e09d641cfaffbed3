"""Caseworkers' Telegram messages: urgent-case alerts, their escalation, appointment reminders.

An urgent case that waits unseen is the worst outcome, and part-time caseworkers do not
watch the console all day. So a new urgent case alerts the team's on-call caseworkers who
linked Telegram (the city team's, when none of the team is reachable); if still nobody
claimed it after the supervisors' escalation time, the city team's on-call caseworkers
and every linked supervisor are told.

Telegram is less private than the console, and a caseworker's phone may be seen: a
message names the case number and a console link, never what the person wrote (nor
their name, chat or reason). The person is never told anything from here.

fire() runs inside the ticker's transaction, so the outbox items commit with the
reminder's new status: exactly once, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.access import Actor, can_see
from bot.services.reminders.leads import SCHEDULED, recipient
from db.audit import Audit
from db.caseworker_links import escalation_minutes, linked_supervisors, on_call_linked
from db.models import (
    CASE_WAITING,
    CITY_TEAM,
    FOR_CASEWORKER,
    MEETING,
    MESSAGE,
    REMINDER_PENDING,
    URGENT_ALERT,
    URGENT_ESCALATION,
    Appointment,
    CaseNote,
    Caseworker,
    HandoffRequest,
    Reminder,
)
from db.outbox import Outbox
from dialogs.events import Reply
from dialogs.i18n import Catalogs, Translator

__all__ = ["CHANNEL", "AlertContext", "fire", "schedule_urgent"]

CHANNEL = "telegram"
SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class AlertContext:
    """What wording needs and the ticker has: catalogs, where the console is, the zone.

    translators is the app's Catalogs (app.content.catalogs), or any function giving a
    Translator for a language.
    """

    translators: Catalogs | Callable[[str | None], Translator]
    console_base: str
    timezone: str = "Asia/Ho_Chi_Minh"

    @classmethod
    def from_app(cls, app: Any) -> AlertContext:
        """From a bot.app.App (typed loosely: this module must not import the app)."""
        settings = app.settings
        return cls(app.content.catalogs, settings.console_base, settings.timezone)

    def translator(self, lang: str | None) -> Translator:
        """The caseworker's language, Vietnamese when unknown."""
        if isinstance(self.translators, Catalogs):
            return self.translators.translator(lang)
        return self.translators(lang)

    def link(self, path: str) -> str:
        """An absolute console address."""
        return f"{self.console_base.rstrip('/')}{path}"


async def schedule_urgent(session: AsyncSession, case: HandoffRequest, now: datetime) -> bool:
    """Plan the alert (due now) and the escalation of an urgent case; False if already planned.

    Once per case: a case that becomes urgent again, or is raised twice, alerts once. The
    escalation time is read now, so a change applies to cases that arrive after it.
    """
    if case.id is None:
        await session.flush()
    planned = await session.scalar(
        select(Reminder.id).where(Reminder.case_id == case.id, Reminder.kind == URGENT_ALERT)
    )
    if planned is not None:
        return False
    later = now + timedelta(minutes=await escalation_minutes(session))
    for kind, due in ((URGENT_ALERT, now), (URGENT_ESCALATION, later)):
        session.add(
            Reminder(
                kind=kind, case_id=case.id, due_at=due, status=REMINDER_PENDING, created_at=now
            )
        )
    await session.flush()
    return True


async def fire(
    session: AsyncSession, reminder: Reminder, now: datetime, ctx: AlertContext
) -> list[str]:
    """Queue the messages of one caseworker-side reminder; the channels to wake.

    The caller marks the reminder sent in the same transaction, whatever is queued: an
    alert for a case already claimed, or a reminder for an unlinked account, sends nothing.
    """
    if reminder.kind == URGENT_ALERT:
        return await _alert(session, reminder, now, ctx)
    if reminder.kind == URGENT_ESCALATION:
        return await _escalate(session, reminder, now, ctx)
    if reminder.kind == FOR_CASEWORKER:
        return await _remind(session, reminder, now, ctx)
    return []


def _unclaimed(case: HandoffRequest | None) -> bool:
    """Waiting with nobody joined; a case assigned to someone who has not joined still waits."""
    return case is not None and case.status == CASE_WAITING and case.claimed_at is None


def _queue(session: AsyncSession, to: list[Caseworker], text: Callable[[Translator], str],
           ctx: AlertContext, now: datetime) -> list[str]:  # fmt: skip
    """One message per account, each in its own language; the channels used."""
    outbox, seen = Outbox(session), set()
    for account in to:
        if account.id in seen or not account.telegram_chat:
            continue
        seen.add(account.id)
        reply = Reply(text(ctx.translator(account.locale)))
        outbox.add(CHANNEL, account.telegram_chat, None, MESSAGE, {"reply": reply.to_dict()}, now)
    return [CHANNEL] if seen else []


async def _alert(
    session: AsyncSession, reminder: Reminder, now: datetime, ctx: AlertContext
) -> list[str]:
    case = await session.get(HandoffRequest, reminder.case_id) if reminder.case_id else None
    if case is None or not _unclaimed(case):
        return []  # someone took it within seconds: nothing to ask of anyone
    link = ctx.link(f"/console/cases/{case.id}")
    to = await on_call_linked(session, case.team)
    if not to and case.team != CITY_TEAM:
        # Nobody of the team can be reached: waiting out the escalation time in silence
        # is the worst outcome, so the city team's on-call hear of it now.
        to = await on_call_linked(session, CITY_TEAM)
    return _queue(session, to, lambda t: t("alert.urgent", case=case.id, link=link), ctx, now)


async def _escalate(
    session: AsyncSession, reminder: Reminder, now: datetime, ctx: AlertContext
) -> list[str]:
    if reminder.case_id is None:
        return []
    case = await session.get(
        HandoffRequest, reminder.case_id, with_for_update=True, populate_existing=True
    )
    if case is None or not _unclaimed(case) or case.escalated_at is not None:
        return []
    # From when the case became urgent (the rows were planned then), not from its opening.
    minutes = max(1, round((now - reminder.created_at).total_seconds() / 60))
    case.escalated_at = now
    t = ctx.translator(None)  # a note is read by every caseworker: the service's language
    note = t("alert.escalation_note", minutes=minutes)
    session.add(
        CaseNote(case_id=case.id, author_id=None, kind="escalation", body=note, created_at=now)
    )
    Audit(session).record(
        None, SYSTEM_ACTOR, "case.escalated", now, case_id=case.id, detail=f"minutes={minutes}"
    )
    to = await on_call_linked(session, CITY_TEAM) + await linked_supervisors(session)
    link = ctx.link(f"/console/cases/{case.id}")
    return _queue(
        session,
        to,
        lambda t: t("alert.escalated", case=case.id, minutes=minutes, link=link),
        ctx,
        now,
    )


async def _visit_recipient(session: AsyncSession, appt: Appointment) -> Caseworker | None:
    """Who is reminded of a visit when it fires: someone who may still see its case."""
    worker = await recipient(session, appt)
    case = await session.get(HandoffRequest, appt.case_id) if appt.case_id else None
    if worker is None or case is None:
        return None
    allowed = can_see(Actor(worker.id, worker.username, worker.role, worker.team), case)
    return worker if allowed else None


async def _remind(
    session: AsyncSession, reminder: Reminder, now: datetime, ctx: AlertContext
) -> list[str]:
    if reminder.caseworker_id is None or reminder.appointment_id is None:
        return []
    account = await session.get(Caseworker, reminder.caseworker_id)
    appt = await session.get(Appointment, reminder.appointment_id)
    if appt is not None and appt.kind != MEETING:
        # The case may have changed hands since the visit was planned: its assignee now.
        account = await _visit_recipient(session, appt)
    if account is None or not account.active or appt is None or appt.status != SCHEDULED:
        return []
    zone = ZoneInfo(ctx.timezone)
    at = (reminder.occurrence_at or appt.next_at or appt.starts_at).astimezone(zone)
    if appt.kind == MEETING:
        link = ctx.link("/console/schedule")
    else:
        link = ctx.link(f"/console/cases/{appt.case_id}")

    def text(t: Translator) -> str:
        when = {
            "time": format_time(at, "H:mm", tzinfo=zone, locale=t.lang),
            "day": format_date(at.date(), "full", locale=t.lang),
        }
        if appt.kind == MEETING:
            lines = [t("alert.meeting", title=appt.title or "", **when)]
        else:
            lines = [t("alert.visit", case=appt.case_id, **when)]
        if appt.place:
            lines.append(t("alert.place", place=appt.place))
        lines.append(t("alert.open", link=link))
        return "\n".join(lines)

    return _queue(session, [account], text, ctx, now)
