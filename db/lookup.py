"""Keyed lookup of people: a chat is found by an HMAC of its channel and id, never by the id.

The HMAC key is a random secret generated once per database and stored in it (table
"keyring") encrypted with the MultiFernet of HOTLINE_SECRET_KEYS. Why this and not a key
derived from HOTLINE_SECRET_KEYS: a derived key would change with every rotation and
every stored hash would have to be recomputed, on every process at once. The stored key
never changes, so the hashes stay valid; rotating HOTLINE_SECRET_KEYS only re-encrypts it
(db.rotation.reencrypt), like any other token. A copied database without the secret keys
gives neither the key nor, therefore, a way to test a guessed chat id against the hashes.
Every process reads the same row, so several `hotline serve` processes agree on the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import LOOKUP_KEY_NAME, KeyringEntry

__all__ = ["chat_key", "configure_lookup_key", "load_lookup_key", "new_lookup_secret"]

_key: bytes | None = None


def new_lookup_secret() -> str:
    """A fresh HMAC key, as text (migration 0004 makes one the same way)."""
    return secrets.token_urlsafe(32)


def chat_key(channel: str, chat_id: str) -> str:
    """The stable, keyed hash that stands for one chat on one channel in every table.

    HMAC-SHA256 over "<channel>\\x00<chat_id>" (UTF-8), as 64 lowercase hex digits.
    """
    if _key is None:
        raise RuntimeError(
            "The lookup key is not loaded: call "
            "db.lookup.configure_lookup_key(await db.lookup.load_lookup_key(sessions, now)) "
            "at start-up, after the migrations."
        )
    message = f"{channel}\x00{chat_id}".encode()
    return hmac.new(_key, message, hashlib.sha256).hexdigest()


def configure_lookup_key(key: bytes | None) -> None:
    """Set the process-wide lookup key (None unsets it)."""
    global _key
    _key = key


async def load_lookup_key(sessions: async_sessionmaker[AsyncSession], now: datetime) -> bytes:
    """The database's lookup key, created on first use; concurrent first starts agree."""
    async with sessions() as session:
        entry = await session.get(KeyringEntry, LOOKUP_KEY_NAME)
    if entry is None:
        try:
            async with sessions() as session, session.begin():
                session.add(
                    KeyringEntry(name=LOOKUP_KEY_NAME, secret=new_lookup_secret(), created_at=now)
                )
        except IntegrityError:
            pass  # another process created it first: use theirs
        async with sessions() as session:
            entry = await session.get(KeyringEntry, LOOKUP_KEY_NAME)
        if entry is None:
            raise RuntimeError("the lookup key could not be stored")
    return entry.secret.encode("ascii")
