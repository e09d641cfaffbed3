"""The caseworkers' console at /console: sign-in, inbox, cases, live updates, media.

Other console pages (canned replies, lookup, audit, dashboard) are routers whose routes
start with /console and take `actor: SignedIn` (or `Supervisor`, `Admin`, or
`Depends(require_actor("admin"))`) from bot.web.console.auth; they answer with
`render(request, actor, "console/<page>.html", **context)`, templates extending
console/base.html (blocks title and content; every form needs
`<input type="hidden" name="{{ csrf_field }}" value="{{ csrf_token }}">`), show themselves
in the nav with `add_nav(NavItem(N_("..."), "/console/...", role))`, and are listed in
routers() below. CSRF, the CSP and no-store apply to every /console path on their own.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.app import App
from bot.web.console.auth import auth_router, handlers, require_actor
from bot.web.console.csrf import FormCSRFMiddleware
from bot.web.console.render import NavItem, add_nav, render
from bot.web.console.state import Console
from bot.web.public import HEADERS

__all__ = ["NavItem", "add_nav", "install", "render", "require_actor"]


class ConsoleHeaders:
    """The public page's strict CSP and no-store on every /console response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/console"):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


def routers() -> list[APIRouter]:
    """The console's own routers; other parts include theirs with install(extra=...)."""
    from bot.web.console.actions import actions_router
    from bot.web.console.cases import cases_router
    from bot.web.console.inbox import inbox_router
    from bot.web.console.live import live_router
    from bot.web.console.me import me_router
    from bot.web.console.media import media_router
    from bot.web.console.schedule import schedule_router
    from bot.web.console.visits import visits_router

    return [
        auth_router(),
        inbox_router(),
        cases_router(),
        actions_router(),
        live_router(),
        media_router(),
        visits_router(),
        schedule_router(),
        me_router(),
    ]


def install(web: FastAPI, app: App, extra: list[APIRouter] | None = None) -> Console:
    """Mount the console on the web app: state, error handlers, routers, CSRF and headers."""
    console = Console(app)
    web.state.console = console
    for error, handler in handlers().items():
        web.add_exception_handler(error, handler)
    for router in [*routers(), *(extra or [])]:
        web.include_router(router)
    web.add_middleware(FormCSRFMiddleware, key=console.key, force_secure=app.settings.console_https)
    web.add_middleware(ConsoleHeaders)
    return console
