"""Encryption at rest: keys, the key file, rotation, and what the columns really hold."""

from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.crypto import DecryptionError, configure_cipher, get_cipher, load_cipher
from db.models import Message
from db.repositories import Contacts, Declarations, Handoffs, Messages, States

NOW = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
SECRET = "Nguyễn Thị Thử Nghiệm Zeta"


def test_configured_keys_first_encrypts_all_decrypt(tmp_path: Path) -> None:
    a, b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old_token = Fernet(a.encode()).encrypt(b"x")
    cipher = load_cipher([b, a], tmp_path / "var")
    assert cipher.decrypt(old_token) == b"x"
    assert Fernet(b.encode()).decrypt(cipher.encrypt(b"y")) == b"y"
    assert not (tmp_path / "var").exists(), "no key file when keys are configured"


def test_malformed_key_is_refused_without_showing_it(tmp_path: Path) -> None:
    good = Fernet.generate_key().decode()
    with pytest.raises(ValueError, match="entry #2 is not a valid Fernet key") as caught:
        load_cipher([good, "LEAKYsecretVALUE123"], tmp_path)
    assert "LEAKY" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_key_file_is_generated_private_then_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    var_dir = tmp_path / "does" / "not" / "exist"
    old_umask = os.umask(0)  # the mode must not depend on the umask
    try:
        with caplog.at_level(logging.WARNING, logger="db.crypto"):
            first = load_cipher([], var_dir)
    finally:
        os.umask(old_umask)
    key_file = var_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in var_dir.iterdir()] == ["secret.key"], "no temporary file left"
    assert "Generated a new encryption key" in caplog.text
    assert "HOTLINE_SECRET_KEYS" in caplog.text
    assert key_file.read_text().strip() not in caplog.text

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="db.crypto"):
        second = load_cipher([], var_dir)
    assert caplog.text == ""
    assert second.decrypt(first.encrypt(b"same key")) == b"same key"


def test_corrupt_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("garbage\n")
    with pytest.raises(ValueError, match="key file"):
        load_cipher([], tmp_path)


def test_using_types_before_configuring_fails_clearly() -> None:
    configure_cipher(None)
    with pytest.raises(RuntimeError, match="configure_cipher"):
        get_cipher()


async def _raw(sessions: async_sessionmaker[AsyncSession], sql: str) -> list[str]:
    async with sessions() as s:
        return [str(v) for v in (await s.execute(text(sql))).scalars()]


async def test_encrypted_columns_hold_no_plaintext(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("telegram", "42", None, NOW)
        await States(s).save(contact.id, {"name": SECRET, "step": 3}, NOW)
        await Declarations(s).add(contact.id, "HP-TEST1", "decl", {"q": SECRET}, "HP", NOW)
        await Messages(s).add(contact.id, "in", f"tôi là {SECRET}", NOW)
        request = await Handoffs(s).open(contact.id, False, "requested", NOW)
        request.note = SECRET

    stored = [
        *await _raw(sessions, "SELECT state FROM conversation_states"),
        *await _raw(sessions, "SELECT answers FROM declarations"),
        *await _raw(sessions, "SELECT body FROM messages"),
        *await _raw(sessions, "SELECT note FROM handoff_requests"),
    ]
    assert len(stored) == 4
    for value in stored:
        assert SECRET not in value and "Zeta" not in value
        assert get_cipher().decrypt(value.encode())  # a token of the configured key

    async with sessions() as s:
        assert await States(s).load(contact.id) == {"name": SECRET, "step": 3}
        declaration = await Declarations(s).get_by_ref("HP-TEST1")
        assert declaration is not None and declaration.answers == {"q": SECRET}
        opened = await Handoffs(s).open_for(contact.id)
        assert opened is not None and opened.note == SECRET


async def test_json_is_compact_and_keeps_vietnamese(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("telegram", "42", None, NOW)
        await States(s).save(contact.id, {"tên": SECRET, "a": [1, None]}, NOW)
    [token] = await _raw(sessions, "SELECT state FROM conversation_states")
    assert get_cipher().decrypt(token.encode()).decode() == f'{{"tên":"{SECRET}","a":[1,null]}}'


async def test_null_stays_null(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("telegram", "42", None, NOW)
        await Handoffs(s).open(contact.id, False, "requested", NOW)
    assert await _raw(sessions, "SELECT note FROM handoff_requests WHERE note IS NULL") == ["None"]


async def test_key_rotation(sessions: async_sessionmaker[AsyncSession]) -> None:
    key_a, key_b = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())
    configure_cipher(MultiFernet([key_a]))
    async with sessions() as s, s.begin():
        contact = await Contacts(s).get_or_create("zalo", "7", None, NOW)
        await Messages(s).add(contact.id, "in", SECRET, NOW)

    configure_cipher(MultiFernet([key_b, key_a]))
    async with sessions() as s, s.begin():
        assert (await s.scalars(select(Message.body))).all() == [SECRET]
        await Messages(s).add(contact.id, "out", "mới", NOW)
    tokens = await _raw(sessions, "SELECT body FROM messages ORDER BY id")
    assert key_b.decrypt(tokens[1].encode()) == "mới".encode(), "the first key encrypts"

    configure_cipher(MultiFernet([key_b]))
    async with sessions() as s:
        with pytest.raises(DecryptionError, match="HOTLINE_SECRET_KEYS"):
            await s.scalars(select(Message.body).order_by(Message.id))
