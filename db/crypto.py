"""Encryption at rest, so a copied database file reveals nothing about the people in it."""

from __future__ import annotations

import json
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Dialect, LargeBinary, Text
from sqlalchemy.types import TypeDecorator

__all__ = [
    "DecryptionError",
    "EncryptedBool",
    "EncryptedJSON",
    "EncryptedText",
    "configure_cipher",
    "configured_cipher",
    "get_cipher",
    "load_cipher",
]

log = logging.getLogger(__name__)

KEY_FILE_NAME = "secret.key"

_cipher: MultiFernet | None = None


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any of the configured keys."""


def _fernet(key: str, where: str) -> Fernet:
    try:
        return Fernet(key.strip().encode("ascii"))
    except (ValueError, TypeError):
        # "from None": the original exception may quote part of the key.
        raise ValueError(
            f"{where} is not a valid Fernet key (32 url-safe base64-encoded bytes); "
            "create one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from None


def load_cipher(keys: list[str], var_dir: Path) -> MultiFernet:
    """Use the configured keys (first encrypts, all decrypt), else the key file in var_dir."""
    if keys:
        return MultiFernet(
            [_fernet(k, f"HOTLINE_SECRET_KEYS entry #{i + 1}") for i, k in enumerate(keys)]
        )
    path = var_dir / KEY_FILE_NAME
    if not path.exists():
        _generate_key_file(var_dir, path)
    elif path.stat().st_mode & 0o077:
        log.warning("Key file %s is readable by other users; run: chmod 600 %s", path, path)
    return MultiFernet([_fernet(path.read_text("ascii", errors="replace"), f"The key file {path}")])


def _generate_key_file(var_dir: Path, path: Path) -> None:
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Written under a private name, then hard-linked into place: the key file appears
    # complete or not at all, and a process that loses a start-up race keeps the winner's key.
    tmp = var_dir / f".{KEY_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(Fernet.generate_key() + b"\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return
    finally:
        tmp.unlink(missing_ok=True)
    log.warning(
        "Generated a new encryption key in %s. Back it up: without it the stored data "
        "cannot be read. In production, set HOTLINE_SECRET_KEYS instead of using this file.",
        path,
    )


def configure_cipher(c: MultiFernet | None) -> None:
    """Set the process-wide cipher used by the encrypted column types (None unsets it)."""
    global _cipher
    _cipher = c


def configured_cipher() -> MultiFernet | None:
    """The process-wide cipher if set (migrations take it to convert existing rows)."""
    return _cipher


def get_cipher() -> MultiFernet:
    """The process-wide cipher; fails loudly rather than store anything in clear."""
    if _cipher is None:
        raise RuntimeError(
            "Encryption is not configured: call "
            "db.crypto.configure_cipher(db.crypto.load_cipher(keys, var_dir)) at start-up, "
            "before reading or writing encrypted columns."
        )
    return _cipher


def _encrypt(plain: str) -> str:
    return get_cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def _decrypt(token: str) -> str:
    try:
        return get_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError(
            "A stored value cannot be decrypted with any configured key "
            "(was an old key removed from HOTLINE_SECRET_KEYS?)"
        ) from None


class EncryptedText(TypeDecorator[str]):
    """A string stored as a Fernet token in a TEXT column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"EncryptedText takes str, not {type(value).__name__}")
        return _encrypt(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> str | None:
        return None if value is None else _decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """Any JSON value, serialised compactly and stored as a Fernet token in a TEXT column."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Any | None:
        return None if value is None else json.loads(_decrypt(value))


class EncryptedBool(TypeDecorator[bool]):
    """A flag that says something about a person (urgent, consent), stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: bool | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            raise TypeError(f"EncryptedBool takes bool, not {type(value).__name__}")
        return _encrypt("true" if value else "false")

    def process_result_value(self, value: Any | None, dialect: Dialect) -> bool | None:
        return None if value is None else bool(json.loads(_decrypt(value)))


class EncryptedBytes(TypeDecorator[bytes]):
    """Binary content (a voice note, a photo) stored as a Fernet token in a binary column."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, bytes):
            raise TypeError(f"EncryptedBytes takes bytes, not {type(value).__name__}")
        return get_cipher().encrypt(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        try:
            return get_cipher().decrypt(bytes(value))
        except InvalidToken:
            raise DecryptionError(
                "A stored file cannot be decrypted with any configured key"
            ) from None


ENCRYPTED_TYPES = (EncryptedText, EncryptedJSON, EncryptedBool, EncryptedBytes)
"""Every column type that holds a token, so that re-encryption after a key change finds them all."""
