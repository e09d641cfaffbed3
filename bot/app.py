"""Wiring: settings in, a ready database, content and conversation service out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.errors import SetupError
from bot.services.bus import Bus
from bot.services.bus_pg import make_bus
from bot.services.case_desk import CaseDesk
from bot.services.conversation import Clock, ConversationService, utcnow
from bot.services.declaration_files import DeclarationFiles
from bot.services.directory.gazetteer import Gazetteer, gazetteer_for
from bot.services.directory.seed import seed_rows
from bot.services.directory.store import Directory
from bot.settings import Settings
from db.crypto import configure_cipher, load_cipher
from db.directory import Places
from db.lookup import configure_lookup_key, load_lookup_key
from db.migrate import upgrade
from db.rotation import reencrypt
from db.session import make_engine, make_sessionmaker
from dialogs.content import Content
from dialogs.engine import Engine


@dataclass
class App:
    """Everything a channel needs; close() releases the database."""

    settings: Settings
    db: AsyncEngine
    content: Content
    conversations: ConversationService
    directory: Directory
    bus: Bus
    desk: CaseDesk
    """The caseworkers' actions (claim, reply, close …) for the console."""
    reads: async_sessionmaker[AsyncSession]
    """Sessions for the console's live views, which only read (db.session read_only)."""
    read_db: AsyncEngine | None = None

    async def close(self) -> None:
        """Stop listening for changes, and dispose of the connection pools."""
        close = getattr(self.bus, "close", None)
        if close is not None:
            await close()
        if self.read_db is not None:
            await self.read_db.dispose()
        await self.db.dispose()


async def build_app(settings: Settings | None = None, clock: Clock = utcnow) -> App:
    """Configure encryption, apply migrations, load and check the content."""
    settings = settings or Settings()
    configure_keys(settings)
    await upgrade(settings.db_url)
    db = make_engine(settings.db_url, one_writer=True)
    sessions = make_sessionmaker(db)
    configure_lookup_key(await load_lookup_key(sessions, clock()))
    content = Content.load()
    directory = Directory(gazetteer_for(settings.province_code))
    await seed_if_empty(sessions, directory.gazetteer, settings.province_code, clock())
    await directory.reload(sessions)
    folder = settings.var_dir / "declarations"
    files = DeclarationFiles(content, folder, settings.timezone, settings.province_code)
    files.prune(clock())
    service = ConversationService(
        db,
        sessions,
        Engine(content, directory, settings.timezone),
        files,
        settings.province_code,
        clock,
    )
    bus = make_bus(settings.db_url)
    service.bus, service.hours = bus, settings.hours
    read_db = None
    if make_url(settings.db_url).get_backend_name() == "sqlite":
        read_db = make_engine(settings.db_url, read_only=True)
    reads = make_sessionmaker(read_db) if read_db is not None else sessions
    desk = CaseDesk(service)
    return App(settings, db, content, service, directory, bus, desk, reads, read_db)


def configure_keys(settings: Settings) -> None:
    """Set up encryption; on a shared database server, only from HOTLINE_SECRET_KEYS.

    A key file generated next to each process would give every machine its own key, and
    each would fail to read what the others wrote. The embedded SQLite file is used by
    one machine, so there the generated key file stays the default.
    """
    keys = settings.secret_key_list
    if not keys and make_url(settings.db_url).get_backend_name() != "sqlite":
        raise SetupError(
            "HOTLINE_SECRET_KEYS must be set when the database is not the embedded SQLite "
            "file, so that every process encrypts with the same keys; create one with: "
            "python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'",
            setting="HOTLINE_SECRET_KEYS",
        )
    configure_cipher(load_cipher(keys, settings.var_dir))


async def reencrypt_database(settings: Settings) -> int:
    """Key rotation, second step: rewrite every token with the first key; the row count.

    First put the new key in front of the old one in HOTLINE_SECRET_KEYS and restart
    every process; after this, the old key can be removed.
    """
    configure_keys(settings)
    await upgrade(settings.db_url)
    db = make_engine(settings.db_url)
    try:
        async with make_sessionmaker(db)() as session, session.begin():
            return await reencrypt(session)
    finally:
        await db.dispose()


async def seed_if_empty(
    sessions: async_sessionmaker[AsyncSession], gazetteer: Gazetteer, province: str, now: datetime
) -> None:
    """On first run, load the hotlines, every commune's People's Committee and city agencies."""
    async with sessions() as session, session.begin():
        places = Places(session)
        if await places.count() == 0:
            await places.upsert(seed_rows(gazetteer, province), now)
