"""Wiring: settings in, a ready database, content and conversation service out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.conversation import Clock, ConversationService, utcnow
from bot.services.declaration_files import DeclarationFiles
from bot.settings import Settings
from db.crypto import configure_cipher, load_cipher
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

    async def close(self) -> None:
        """Dispose of the connection pool."""
        await self.db.dispose()


async def build_app(settings: Settings | None = None, clock: Clock = utcnow) -> App:
    """Configure encryption, apply migrations, load and check the content."""
    settings = settings or Settings()
    configure_cipher(load_cipher(settings.secret_key_list, settings.var_dir))
    await upgrade(settings.db_url)
    db = make_engine(settings.db_url)
    content = Content.load()
    files = DeclarationFiles(content, settings.var_dir / "declarations", settings.timezone)
    service = ConversationService(
        db,
        make_sessionmaker(db),
        Engine(content, settings.timezone),
        files,
        settings.province_code,
        clock,
    )
    return App(settings, db, content, service)
