"""One ASGI app: the public page, webhooks (and later the console)."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.app import App
from bot.channels.telegram_runtime import TelegramRuntime
from bot.web.public import STATIC_DIR, public_router

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def create_web_app(app: App, telegram: TelegramRuntime | None = None) -> FastAPI:
    """Routes for what is configured; nothing else is exposed."""
    web = FastAPI(title="Hotline", docs_url=None, redoc_url=None)
    web.include_router(public_router(app))
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
            update = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"ok": False, "error": "invalid JSON"}, status_code=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return JSONResponse({"ok": False, "error": "not an update"}, status_code=400)
        await telegram.feed(update)
        return {"ok": True}

    return web
