"""Start-up checks that turn a wrong setting into one SetupError naming it, before any work."""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Any

from cryptography.fernet import InvalidToken
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App, build_app
from bot.errors import SetupError
from bot.settings import Settings
from db.crypto import KEY_FILE_NAME, DecryptionError, get_cipher, load_cipher
from db.session import make_engine

DATABASE = "HOTLINE_DATABASE_URL"
KEYS = "HOTLINE_SECRET_KEYS"
DRIVERS = ("postgresql+asyncpg", "sqlite+aiosqlite")
CONNECT_SECONDS = 15.0
ENCRYPTED = (
    ("conversation_states", "state"), ("declarations", "answers"), ("messages", "body"),
    ("outbox", "payload"), ("handoff_requests", "note"),
)  # fmt: skip
"""Encrypted columns (db/models.py): one stored value of each shows whether the keys fit."""


def first_line(error: BaseException) -> str:
    """A driver's message, on one line, or the kind of error when it says nothing."""
    lines = [x.strip() for x in str(error).splitlines() if x.strip()]
    return lines[0] if lines else type(error).__name__


def load_settings() -> Settings:
    """Settings, or the first invalid one named as its environment variable."""
    try:
        return Settings()
    except ValidationError as invalid:
        problem = invalid.errors()[0]
        name = "HOTLINE_" + "_".join(str(p) for p in problem["loc"]).upper()
        # The value itself is not repeated: it may be a secret.
        raise SetupError(f"{name} is not valid: {problem['msg']}", setting=name) from None


def database_url(raw: str) -> URL:
    """The URL parsed, with a driver hotline ships; never echoing a malformed one."""
    example = "postgresql+asyncpg://user:password@host:5432/name or sqlite+aiosqlite:///path"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise SetupError(f"{DATABASE} is not a database URL; write {example}", DATABASE) from None
    if url.drivername not in DRIVERS:
        raise SetupError(
            f"{DATABASE} uses the driver {url.drivername!r}, which hotline does not ship; "
            f"write {example}",
            DATABASE,
        )
    return url


def reason(error: BaseException) -> str:
    """Why a connection failed, in a few words."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "host name not found"
    if isinstance(error, TimeoutError):
        return f"no answer within {CONNECT_SECONDS:.0f} seconds"
    cause = getattr(error, "orig", None) or error
    return first_line(cause)


async def probe(url: URL) -> None:
    """Connect once, so an unreachable database is told before anything else happens."""
    shown = url.render_as_string(hide_password=True)
    engine: AsyncEngine | None = None
    try:
        engine = make_engine(url.render_as_string(hide_password=False))
        async with asyncio.timeout(CONNECT_SECONDS), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as error:  # any failure here is the database's
        message = f"cannot reach the database at {shown} ({DATABASE}): {reason(error)}"
        raise SetupError(message, DATABASE) from None
    finally:
        if engine is not None:
            await engine.dispose()


def check_keys(settings: Settings) -> None:
    """A key that is not a Fernet key is named by its place, never printed.

    With no key set and no key file yet, build_app makes one (or refuses, on PostgreSQL).
    """
    if not settings.secret_key_list and not (settings.var_dir / KEY_FILE_NAME).exists():
        return
    try:
        load_cipher(settings.secret_key_list, settings.var_dir)
    except ValueError as bad:
        raise SetupError(first_line(bad), KEYS) from None
    except OSError as error:
        where = f"{settings.var_dir.resolve()} (HOTLINE_VAR_DIR)"
        raise SetupError(
            f"cannot use the folder {where}: {error.strerror}", "HOTLINE_VAR_DIR"
        ) from None


def wrong_keys(settings: Settings) -> SetupError:
    """The keys are valid Fernet keys, but not the ones that encrypted the stored data."""
    keys = (
        f"the key in {KEYS}"
        if settings.secret_key_list
        else f"the key file {settings.var_dir / KEY_FILE_NAME} ({KEYS} is unset)"
    )
    return SetupError(
        f"{keys} cannot decrypt the data already in the database; "
        f"put back the key that encrypted it (a new key goes first, the old after)",
        KEYS,
    )


async def check_stored_data(app: App) -> None:
    """A valid key that did not encrypt the stored data fails here, not at a person's message."""
    cipher = get_cipher()
    async with app.db.connect() as conn:
        for table, column in ENCRYPTED:
            query = f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL LIMIT 1"
            token: Any = (await conn.execute(text(query))).scalar()
            if token is None:
                continue
            try:
                cipher.decrypt(str(token).encode("ascii"))
            except InvalidToken:
                raise wrong_keys(app.settings) from None


async def open_app(settings: Settings) -> App:
    """build_app, after checking the URL, the database and the keys; then the stored data."""
    url = database_url(settings.db_url)
    check_keys(settings)
    await probe(url)
    try:
        app = await build_app(settings)
    except DecryptionError:  # the stored lookup key is read first of all
        raise wrong_keys(settings) from None
    try:
        await check_stored_data(app)
    except BaseException:
        await app.close()
        raise
    return app


def listen(host: str, port: int) -> socket.socket:
    """Bind before saying "serving on", so a taken port is told as a setting to change."""
    if not 0 < port < 65536:
        raise SetupError(f"HOTLINE_PORT is {port}; use a port from 1 to 65535", "HOTLINE_PORT")
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror:
        raise SetupError(f"cannot find the host {host!r} (HOTLINE_HOST)", "HOTLINE_HOST") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            message = f"port {port} on {host} is already in use (HOTLINE_PORT); choose another"
        elif error.errno == errno.EACCES:
            message = f"not allowed to listen on port {port} (HOTLINE_PORT); use 1024 or above"
        else:
            message = f"cannot listen on {host}:{port} (HOTLINE_HOST): {error.strerror}"
        raise SetupError(message, "HOTLINE_PORT") from None
    sock.listen(2048)  # at once: a client arriving during start-up waits instead of failing
    sock.set_inheritable(True)
    return sock
