"""One ASGI app: the public page, the caseworkers' console, webhooks."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot.app import App
from bot.channels.telegram_runtime import TelegramRuntime
from bot.web.console import audit_page, canned, dashboard, lookup
from bot.web.console import install as install_console
from bot.web.pages import not_found_handler
from bot.web.public import STATIC_DIR, public_router
from bot.web.webhook import Refused, parse_update, read_capped
from dialogs.i18n import Catalogs

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def create_web_app(app: App, telegram: TelegramRuntime | None = None) -> FastAPI:
    """Routes for what is configured; nothing else is exposed, not even an API description."""
    docs = app.settings.web_api_docs
    web = FastAPI(
        title="Hotline", openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None, redoc_url=None,
    )  # fmt: skip
    web.add_exception_handler(HTTPException, not_found_handler(Catalogs()))
    web.include_router(public_router(app))
    extras = [page.router(app) for page in (canned, lookup, audit_page, dashboard)]
    install_console(web, app, extra=extras)
    web.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @web.get("/healthz")
    async def health() -> dict[str, str]:
        """For the process supervisor: the app is up."""
        return {"status": "ok"}

    @web.post("/webhooks/telegram", response_model=None)
    async def telegram_webhook(request: Request) -> JSONResponse | dict[str, Any]:
        """Telegram's webhook: checked in constant time before anything is read or stored."""
        if telegram is None or not telegram.webhook_url:
            return JSONResponse({"ok": False, "error": "not configured"}, status_code=404)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, telegram.webhook_secret.encode()):
            return JSONResponse({"ok": False, "error": "unauthorized"}, status_code=401)
        try:
            update = parse_update(await read_capped(request), telegram.bot)
        except Refused as refused:
            log.warning("webhook update refused (%s): %s", refused.status, refused.reason)
            return JSONResponse({"ok": False, "error": refused.reason}, status_code=refused.status)
        await telegram.feed(update)
        return {"ok": True}

    return web
