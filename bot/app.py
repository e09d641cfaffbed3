"""Wiring: settings in, a ready database, content and conversation service out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.services.conversation import Clock, ConversationService, utcnow
from bot.services.declaration_files import DeclarationFiles
from bot.services.directory.gazetteer import Gazetteer, gazetteer_for
from bot.services.directory.seed import seed_rows
from bot.services.directory.store import Directory
from bot.settings import Settings
from db.crypto import configure_cipher, load_cipher
from db.directory import Places
from db.migrate import upgrade
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

    async def close(self) -> None:
        """Dispose of the connection pool."""
        await self.db.dispose()


async def build_app(settings: Settings | None = None, clock: Clock = utcnow) -> App:
    """Configure encryption, apply migrations, load and check the content."""
    settings = settings or Settings()
    configure_cipher(load_cipher(settings.secret_key_list, settings.var_dir))
    await upgrade(settings.db_url)
    db = make_engine(settings.db_url, one_writer=True)
    sessions = make_sessionmaker(db)
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
    return App(settings, db, content, service, directory)


async def seed_if_empty(
    sessions: async_sessionmaker[AsyncSession], gazetteer: Gazetteer, province: str, now: datetime
) -> None:
    """On first run, load the hotlines, every commune's People's Committee and city agencies."""
    async with sessions() as session, session.begin():
        places = Places(session)
        if await places.count() == 0:
            await places.upsert(seed_rows(gazetteer, province), now)
