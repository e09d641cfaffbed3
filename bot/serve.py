"""`hotline serve`: the web app, the configured channels and their senders in one process."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot.channels.telegram_runtime import TelegramRuntime
from bot.services.leader import make_leader
from bot.services.reminders.ticker import Ticker
from bot.settings import Settings
from bot.startup import listen, open_app
from bot.web.app import create_web_app

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM; on first run this creates and migrates the database."""
    sock = listen(settings.host, settings.port)
    try:
        app = await open_app(settings)
    except BaseException:
        sock.close()
        raise
    telegram = TelegramRuntime(app) if settings.telegram_token else None
    web = create_web_app(app, telegram)
    config = uvicorn.Config(
        web, host=settings.host, port=settings.port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    ticker = Ticker(app)
    # One ticker across processes, whether or not any channel is configured here.
    leader = make_leader(settings.db_url, "ticker")
    ticking = asyncio.create_task(leader.run(ticker.run), name="reminder-ticker")
    try:
        if telegram:
            await telegram.start()
            mode = "webhook" if telegram.webhook_url else "long polling"
            log.warning("telegram channel running (%s)", mode)
        log.warning("serving on http://%s:%s", settings.host, settings.port)
        await server.serve(sockets=[sock])
    finally:
        ticking.cancel()
        await asyncio.gather(ticking, return_exceptions=True)
        if telegram:
            await telegram.stop()
        await app.close()
        sock.close()
