"""Rows as the templates show them: labels in the reader's language, times, lateness."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.web.console.texts import DELIVERY, OUTCOMES, PRIORITY, STATUS
from db.case_reads import waited
from db.models import CASE_OPEN, HANDOFF_ERASED, HandoffRequest, Message
from dialogs.i18n import N_, Translator

MEDIA_KINDS = ("voice", "photo", "file", "sticker")


AUDIO = ("audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/wav", "audio/webm")
IMAGES = ("image/jpeg", "image/png", "image/webp", "image/gif")
"""Types served inline; anything else (an SVG or HTML file above all) is only downloaded."""


def playable(mime: str) -> str:
    """The mime type when the browser may show it inline, else ""."""
    base = mime.split(";")[0].strip().lower()
    return base if base in AUDIO or base in IMAGES else ""


def duration(seconds: float, t: Translator) -> str:
    """A waiting time a person reads at a glance: minutes, hours, or days."""
    minutes = int(seconds // 60)
    if minutes < 60:
        return t(N_("console.minutes"), n=minutes)
    if minutes < 24 * 60:
        return t(N_("console.hours"), n=minutes // 60, m=minutes % 60)
    return t(N_("console.days"), n=minutes // (24 * 60), h=minutes // 60 % 24)


def when(at: datetime | None, t: Translator, zone: str) -> str:
    """A date and time in the service's zone, in the reader's locale."""
    if at is None:
        return ""
    return format_datetime(at.astimezone(ZoneInfo(zone)), "short", locale=t.lang)


def case_view(
    row: HandoffRequest, t: Translator, now: datetime, late_after: float, names: dict[int, str],
    zone: str,
) -> dict[str, Any]:  # fmt: skip
    """One case's facts for the inbox and the case page."""
    wait, first = waited(row, now)
    is_open = row.status in CASE_OPEN
    return {
        "id": row.id,
        "title": t("console.case", id=row.id),
        "href": f"/console/cases/{row.id}",
        "priority": row.priority,
        "priority_label": t(PRIORITY.get(row.priority, PRIORITY["normal"])),
        "status": row.status,
        "status_label": t(STATUS.get(row.status, STATUS["waiting"])),
        "open": is_open,
        "erased": row.status == HANDOFF_ERASED or row.contact_id is None,
        "team": row.team,
        "assignee_id": row.assignee_id,
        "assignee": names.get(row.assignee_id, "") if row.assignee_id else "",
        "waiting": duration(wait, t),
        "late": (first is None and is_open and wait > late_after)
        or (first is not None and first > late_after),
        "first_response": duration(first, t) if first is not None else "",
        "opened": when(row.created_at, t, zone),
        "outcome": t(OUTCOMES[row.outcome]) if row.outcome in OUTCOMES else (row.outcome or ""),
        "verify_code": row.verify_code or "",
    }


def message_view(
    message: Message, t: Translator, names: dict[int, str], zone: str,
    mimes: dict[int, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """One message of the history: who, when, what (text escaped by the template), delivery."""
    if message.direction == "in":
        who = t("console.from_person")
    elif message.author_id:
        who = t("console.from_caseworker", name=names.get(message.author_id, "?"))
    else:
        who = t("console.from_bot")
    delivery = message.delivery or ""
    return {
        "id": message.id,
        "direction": "in" if message.direction == "in" else "out",
        "who": who,
        "at": when(message.created_at, t, zone),
        "kind": message.kind if message.kind in MEDIA_KINDS else "text",
        "kind_label": t(f"console.{message.kind}") if message.kind in MEDIA_KINDS else "",
        "body": message.body,
        "media": f"/console/media/{message.media_id}" if message.media_id else "",
        "mime": playable((mimes or {}).get(message.media_id or 0, "")),
        "delivery": t(DELIVERY[delivery]) if delivery in DELIVERY else "",
    }
