"""Caseworkers on Telegram: one-time link codes, the on-call flag, lead times, escalation time.

A caseworker links a Telegram chat by typing a code the console showed them (/link CODE).
The code is 8 random digits, valid 10 minutes and once; only its SHA-256 is stored, so a
copy of the database does not let anyone link themselves. 10^8 codes in 10 minutes make
guessing hopeless for the bot's message rate. The caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.audit import Audit
from db.lookup import chat_key
from db.models import Caseworker, ServiceSetting

__all__ = [
    "DEFAULT_ESCALATION_MINUTES",
    "ESCALATION_KEY",
    "LINK_CHANNEL",
    "LINK_DIGITS",
    "LINK_VALID",
    "escalation_minutes",
    "link_telegram",
    "linked_supervisors",
    "new_link_code",
    "on_call_linked",
    "set_escalation_minutes",
    "set_lead_minutes",
    "set_on_call",
    "unlink",
]

LINK_DIGITS = 8
LINK_VALID = timedelta(minutes=10)
LINK_CHANNEL = "telegram"
"""Alerts go out on Telegram only: Zalo would charge for them and limit them per month."""
ESCALATION_KEY = "urgent_escalation_minutes"
DEFAULT_ESCALATION_MINUTES = 10
MAX_ESCALATION_MINUTES = 24 * 60
MAX_LEAD_MINUTES = 4 * 7 * 24 * 60
"""Four weeks: further ahead than that, a reminder is not a reminder."""
_NO_MATCH = hashlib.sha256(b"no code").hexdigest()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


async def _account(session: AsyncSession, caseworker_id: int) -> Caseworker:
    account = await session.get(Caseworker, caseworker_id)
    if account is None:
        raise ValueError("console.error.no_such_caseworker")
    return account


async def new_link_code(session: AsyncSession, caseworker_id: int, now: datetime) -> str:
    """A fresh code for this account (any earlier one stops working); shown once, never stored."""
    account = await _account(session, caseworker_id)
    code = f"{secrets.randbelow(10**LINK_DIGITS):0{LINK_DIGITS}d}"
    account.link_code_hash, account.link_code_until = _digest(code), now + LINK_VALID
    await session.flush()
    return code


async def link_telegram(
    session: AsyncSession, code: str, channel: str, chat_id: str, now: datetime
) -> Caseworker | None:
    """The account whose valid code this is, now linked to the chat; else None.

    Every pending code is compared in constant time, with no early exit, so the time
    taken does not tell how close a guess came. The code is consumed by a conditional
    UPDATE, so two chats racing with one code cannot both win.
    """
    if channel != LINK_CHANNEL:
        return None
    given = _digest(code.strip())
    pending = await session.scalars(
        select(Caseworker).where(Caseworker.link_code_hash.is_not(None))
    )
    match: Caseworker | None = None
    for account in pending:
        if hmac.compare_digest(account.link_code_hash or _NO_MATCH, given):
            match = account
    if match is None:
        return None
    expired = match.link_code_until is None or match.link_code_until <= now
    if expired or not match.active:
        match.link_code_hash, match.link_code_until = None, None
        await session.flush()
        return None
    taken = await session.execute(
        update(Caseworker)
        .where(Caseworker.id == match.id, Caseworker.link_code_hash == given)
        .values(link_code_hash=None, link_code_until=None)
        .execution_options(synchronize_session=False)
    )
    if not taken.rowcount:  # type: ignore[attr-defined]
        return None
    key = chat_key(LINK_CHANNEL, chat_id)
    await session.execute(  # one chat, one account: a chat linked before moves here
        update(Caseworker)
        .where(Caseworker.telegram_key == key, Caseworker.id != match.id)
        .values(telegram_chat=None, telegram_key=None)
        .execution_options(synchronize_session=False)
    )
    match.link_code_hash, match.link_code_until = None, None
    match.telegram_chat, match.telegram_key = chat_id, key
    # From the bot, not the console: no page records it, so the link records itself.
    Audit(session).record(match.id, match.username, "telegram.linked", now)
    await session.flush()
    return match


async def unlink(session: AsyncSession, caseworker_id: int) -> None:
    """Forget the account's chat and any pending code: nothing more goes to Telegram."""
    account = await _account(session, caseworker_id)
    account.telegram_chat, account.telegram_key = None, None
    account.link_code_hash, account.link_code_until = None, None
    await session.flush()


async def set_on_call(session: AsyncSession, caseworker_id: int, on_call: bool) -> None:
    """On call: alerted on Telegram when an urgent case of the team arrives."""
    account = await _account(session, caseworker_id)
    account.on_call = on_call
    await session.flush()


async def set_lead_minutes(
    session: AsyncSession, caseworker_id: int, minutes: Iterable[int]
) -> str:
    """Store the lead times (largest first, no repeats); empty means no appointment reminders."""
    chosen = sorted({int(m) for m in minutes}, reverse=True)
    if any(m < 1 or m > MAX_LEAD_MINUTES for m in chosen):
        raise ValueError("console.error.lead_minutes")
    value = ",".join(str(m) for m in chosen)
    if len(value) > 64:
        raise ValueError("console.error.lead_minutes")
    account = await _account(session, caseworker_id)
    account.lead_minutes = value
    await session.flush()
    return value


async def escalation_minutes(session: AsyncSession) -> int:
    """How long an urgent case may wait unclaimed before it escalates (supervisors set it)."""
    row = await session.get(ServiceSetting, ESCALATION_KEY)
    if row is None:
        return DEFAULT_ESCALATION_MINUTES
    try:
        value = int(row.value)
    except ValueError:
        return DEFAULT_ESCALATION_MINUTES
    return value if 1 <= value <= MAX_ESCALATION_MINUTES else DEFAULT_ESCALATION_MINUTES


async def set_escalation_minutes(
    session: AsyncSession, minutes: int, by: int | None, now: datetime
) -> None:
    """Change the escalation time; applies to urgent cases that arrive from now on."""
    if not 1 <= minutes <= MAX_ESCALATION_MINUTES:
        raise ValueError("console.error.escalation_minutes")
    row = await session.get(ServiceSetting, ESCALATION_KEY)
    if row is None:
        row = ServiceSetting(key=ESCALATION_KEY, value="", updated_at=now)
        session.add(row)
    row.value, row.updated_by, row.updated_at = str(minutes), by, now
    await session.flush()


def _linked() -> list[ColumnElement[bool]]:
    return [Caseworker.active.is_(True), Caseworker.telegram_key.is_not(None)]


async def on_call_linked(session: AsyncSession, team: str) -> list[Caseworker]:
    """Active accounts of the team that are on call and have a linked chat, by name."""
    found = await session.scalars(
        select(Caseworker)
        .where(*_linked(), Caseworker.team == team, Caseworker.on_call.is_(True))
        .order_by(Caseworker.username)
    )
    return list(found)


async def linked_supervisors(session: AsyncSession) -> list[Caseworker]:
    """Active supervisors with a linked chat, on call or not: escalations reach them all."""
    found = await session.scalars(
        select(Caseworker)
        .where(*_linked(), Caseworker.role == "supervisor")
        .order_by(Caseworker.username)
    )
    return list(found)
