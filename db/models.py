"""The tables, declared once so that the ORM, the migrations and the tests agree on them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from db.crypto import EncryptedBool, EncryptedBytes, EncryptedJSON, EncryptedText

# Stable names, so that later migrations (and SQLite batch mode) can refer to constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CASE_WAITING, CASE_ACTIVE, CASE_WAITING_PERSON, CASE_CLOSED = (
    "waiting", "active", "waiting_person", "closed",
)  # fmt: skip
CASE_OPEN = (CASE_WAITING, CASE_ACTIVE, CASE_WAITING_PERSON)
"""A case in any of these still reaches a caseworker; a person has at most one."""
HANDOFF_OPEN = CASE_WAITING
"""Where a new request starts (the name kept from when a request was only open or not)."""
HANDOFF_ERASED = "erased"
"""A request whose person erased their data: kept, without link, for the counts only."""
PRIORITIES = ("urgent", "high", "normal")
"""Queue order, first to last; danger words make a case urgent."""
ROLES = ("caseworker", "supervisor", "admin")
CITY_TEAM = "city"
"""The team that gets every case whose commune no other team covers."""
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
MESSAGE, DOCUMENT, DELETE = "message", "document", "delete"
REMINDER_PENDING, REMINDER_SENT, REMINDER_MISSED, REMINDER_CANCELLED = (
    "pending", "sent", "missed", "cancelled",
)  # fmt: skip
FOR_PERSON, FOR_CASEWORKER, URGENT_ALERT, URGENT_ESCALATION = (
    "person", "caseworker", "alert", "escalation",
)  # fmt: skip
"""Reminder kinds: a person's, a caseworker's (visits, meetings), and the urgent-case alerts."""
VISIT, MEETING = "visit", "meeting"
"""Appointment kinds: a follow-up visit of one case, a recurring peer-group meeting."""
SAFE_HOURS = ("morning", "afternoon", "evening", "any")
LOOKUP_KEY_NAME = "chat_lookup"
CHAT_KEY_LENGTH = 64
"""Hex digits of an HMAC-SHA256 (db.lookup.chat_key)."""


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite would otherwise return naive ones)."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (the clock gives UTC)")
        value = value.astimezone(UTC)
        # SQLite's DateTime drops the offset, so what it stores must already be UTC.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class KeyringEntry(Base):
    """Secrets the database keeps for itself, encrypted (the chat lookup key: db.lookup)."""

    __tablename__ = "keyring"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Contact(Base):
    """A person as seen on one channel; found by chat_key, so that a copy says nothing.

    chat_id is kept encrypted only so that the bot can write to the person.
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_key: Mapped[str] = mapped_column(String(CHAT_KEY_LENGTH), unique=True)
    chat_id: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    user_id: Mapped[str | None] = mapped_column(EncryptedText())
    locale: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str | None] = mapped_column(EncryptedText())
    urgent: Mapped[bool] = mapped_column(EncryptedBool(), default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConversationState(Base):
    """Where a conversation stands, so that a declaration can resume days later."""

    __tablename__ = "conversation_states"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[Any] = mapped_column(EncryptedJSON(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboundEvent(Base):
    """Ids of updates already handled, so a redelivered update is not handled twice.

    Kept for a week (db.repositories.InboundLog.prune): redeliveries come within hours.
    """

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Consent(Base):
    """One consent decision for one purpose; the latest per purpose is in force."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    granted: Mapped[bool] = mapped_column(EncryptedBool(), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Declaration(Base):
    """A finished self-declaration; the answers are encrypted.

    The coarse columns (commune, month, return mode, needs) are copied out at submission,
    so the supervisors' figures are counted without decrypting anyone's answers.
    """

    __tablename__ = "declarations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(16), unique=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(64))
    answers: Mapped[Any] = mapped_column(EncryptedJSON(), nullable=False)
    province: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ward_code: Mapped[str | None] = mapped_column(String(8))
    month: Mapped[str | None] = mapped_column(String(7))
    return_mode: Mapped[str | None] = mapped_column(String(32))
    needs: Mapped[str | None] = mapped_column(String(300))


class HandoffRequest(Base):
    """A case: a place in the caseworker queue, then the conversation with a caseworker.

    Survives erasure anonymised (status "erased"), for the caseworkers' record and counts.
    urgent says danger words raised it; priority is the queue order a caseworker may change.
    """

    __tablename__ = "handoff_requests"
    __table_args__ = (
        Index("ix_handoff_requests_status_urgent_created_at", "status", "urgent", "created_at"),
        Index("ix_handoff_requests_team_status", "team", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    urgent: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    status: Mapped[str] = mapped_column(
        String(16), default=HANDOFF_OPEN, server_default=text(f"'{HANDOFF_OPEN}'")
    )
    note: Mapped[str | None] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    priority: Mapped[str] = mapped_column(
        String(8), default="normal", server_default=text("'normal'")
    )
    team: Mapped[str] = mapped_column(
        String(32), default=CITY_TEAM, server_default=text(f"'{CITY_TEAM}'")
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="SET NULL"), index=True
    )
    verify_code: Mapped[str | None] = mapped_column(String(8))
    """Shown to both sides when a caseworker joins, so the person can tell the real service."""
    outcome: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """An urgent case nobody claimed in time was escalated to the city team and supervisors."""


class Team(Base):
    """Caseworkers who answer for a set of communes; the city team answers for the rest."""

    __tablename__ = "teams"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class TeamCommune(Base):
    """One commune (new 2025 code) and the team that answers its cases."""

    __tablename__ = "team_communes"

    ward_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    team_code: Mapped[str] = mapped_column(ForeignKey("teams.code", ondelete="CASCADE"))


class Caseworker(Base):
    """A console account; the password is an argon2 hash."""

    __tablename__ = "caseworkers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(ForeignKey("teams.code"), default=CITY_TEAM)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    telegram_chat: Mapped[str | None] = mapped_column(EncryptedText())
    """The Telegram chat this account linked (by a one-time code), for reminders and alerts."""
    telegram_key: Mapped[str | None] = mapped_column(String(CHAT_KEY_LENGTH), unique=True)
    on_call: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    """Alerted on Telegram when an urgent case of the team arrives."""
    lead_minutes: Mapped[str] = mapped_column(
        String(64), default="1440,60", server_default=text("'1440,60'")
    )
    """Before each appointment, when to remind this caseworker (minutes, comma-separated)."""
    link_code_hash: Mapped[str | None] = mapped_column(String(64))
    link_code_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseNote(Base):
    """A caseworker's internal note on a case (a transfer note too); the person never sees it."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("handoff_requests.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("caseworkers.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="note")
    body: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CannedReply(Base):
    """A ready answer a caseworker can insert; supervisors edit them (no personal data)."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(String(2000))
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Who did what to which case, when: append-only, and never any personal text.

    No foreign keys: an account or case removed later must not rewrite the record
    (on PostgreSQL a trigger refuses UPDATE and DELETE here).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class Media(Base):
    """A voice note, photo, file or sticker a person sent to a case; the bytes are encrypted."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(EncryptedBytes(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Message(Base):
    """One message of a conversation, in or out; the body is encrypted.

    kind is text, voice, photo, file, sticker or system; author_id is the caseworker who
    wrote an "out" message; delivery follows its outbox item (queued, sent, failed).
    """

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_contact_id_created_at", "contact_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    body: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoff_requests.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12), default="text", server_default=text("'text'"))
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("caseworkers.id", ondelete="SET NULL"))
    outbox_id: Mapped[int | None] = mapped_column(Integer, index=True)
    delivery: Mapped[str | None] = mapped_column(String(12))


class OutboxItem(Base):
    """One thing to send to one chat; its content is dropped once sent.

    chat_key orders each chat's items; chat_id, encrypted, is where to send them.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_chat_key_id", "chat_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_key: Mapped[str] = mapped_column(String(CHAT_KEY_LENGTH))
    chat_id: Mapped[str] = mapped_column(EncryptedText(), nullable=False)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[Any | None] = mapped_column(EncryptedJSON())
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(200))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    """The process sending it (db.claims); with claimed_until, a lease another may take back."""
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChannelMessage(Base):
    """Ids of messages in a chat (both ways), so erasing can delete them from the chat."""

    __tablename__ = "channel_messages"
    __table_args__ = (Index("ix_channel_messages_chat_key_at", "chat_key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_key: Mapped[str] = mapped_column(String(CHAT_KEY_LENGTH))
    message_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(3))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Place(Base):
    """A support address or a hotline in the public directory (public data, not encrypted)."""

    __tablename__ = "places"
    __table_args__ = (Index("ix_places_province_ward_code", "province", "ward_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    services: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    ward_code: Mapped[str] = mapped_column(String(8), default="")
    province: Mapped[str] = mapped_column(String(8), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str] = mapped_column(String(16), default="exact")
    phones: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ContactPrefs(Base):
    """How a person may be reminded: their safe hours and the code word reminders use."""

    __tablename__ = "contact_prefs"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    safe_hours: Mapped[str | None] = mapped_column(EncryptedText())
    """One of SAFE_HOURS; None until the person chose (then "any" daytime hours apply)."""
    code_word: Mapped[str | None] = mapped_column(EncryptedText())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ServiceSetting(Base):
    """A setting supervisors change in the console (e.g. when urgent cases escalate)."""

    __tablename__ = "service_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Appointment(Base):
    """A follow-up visit of one case, or a recurring peer-group meeting (an RFC 5545 rule).

    Times are UTC; a rule's wall-clock times are in `timezone`. next_at is the next
    occurrence not yet passed, whose reminders exist as rows.
    """

    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_status_next_at", "status", "next_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    team: Mapped[str] = mapped_column(String(32), default=CITY_TEAM)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoff_requests.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(EncryptedText())
    place: Mapped[str | None] = mapped_column(EncryptedText())
    note: Mapped[str | None] = mapped_column(EncryptedText())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rrule: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AppointmentPerson(Base):
    """A person invited to an appointment, and their latest answer to its reminder."""

    __tablename__ = "appointment_people"
    __table_args__ = (UniqueConstraint("appointment_id", "contact_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoff_requests.id", ondelete="SET NULL")
    )
    """The case their answers are recorded on."""
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The occurrence the answer is about."""
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Reminder(Base):
    """One message to send at due_at: the truth the ticker claims (db.claims), once.

    kind is FOR_PERSON (contact_id), FOR_CASEWORKER (caseworker_id), URGENT_ALERT or
    URGENT_ESCALATION (case_id; recipients are chosen when it fires).
    """

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoff_requests.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    caseworker_id: Mapped[int | None] = mapped_column(
        ForeignKey("caseworkers.id", ondelete="CASCADE"), index=True
    )
    occurrence_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The appointment's time this reminder is for; a reminder after it is useless."""
    lead_minutes: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default=REMINDER_PENDING)
    reason: Mapped[str | None] = mapped_column(String(32))
    """Why it was missed or cancelled (e.g. "passed", "no_safe_time", "consent")."""
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
