"""A console with the extras' pages mounted, and signed-in clients for each role."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from bot.app import App
from bot.web.app import create_web_app
from bot.web.console import audit_page, canned, dashboard, lookup
from db.accounts import Accounts

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def extras_web(app: App) -> FastAPI:
    """The web app as `hotline serve` builds it, plus the four extras' routers."""
    web = create_web_app(app)
    for module in (canned, lookup, audit_page, dashboard):
        web.include_router(module.router(app))
    return web


async def add_account(app: App, name: str, role: str, team: str = "city", locale: str = "vi"):
    """A console account (and its team, if new)."""
    async with app.conversations.sessions() as session, session.begin():
        accounts = Accounts(session)
        if team != "city":
            await accounts.add_team(team, team.title(), [])
        return await accounts.add_caseworker(
            name, PASSWORD, role, team, locale, app.conversations.clock()
        )


class Client:
    """An httpx client signed in to the console, that puts the CSRF token into its forms."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token = ""

    async def get(self, url: str, **kw: object) -> httpx.Response:
        response = await self.http.get(url, **kw)  # type: ignore[arg-type]
        if found := TOKEN.search(response.text):
            self.token = found.group(1)
        return response

    async def post(self, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        if not self.token:
            await self.get("/console/login")
        response = await self.http.post(url, data={**(data or {}), "csrf_token": self.token})
        if found := TOKEN.search(response.text):
            self.token = found.group(1)
        return response


@asynccontextmanager
async def client(app: App, web: FastAPI, name: str | None) -> AsyncIterator[Client]:
    """A client signed in as name (None: no session at all)."""
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        c = Client(http)
        if name is not None:
            await c.get("/console/login")
            signed = await c.post("/console/login", {"username": name, "password": PASSWORD})
            assert signed.status_code == 303, signed.text
        yield c


Signed = Callable[[str | None], Awaitable[Client]]
