"""Console test helpers: accounts, a signed-in HTTP client, cases made by a real conversation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select

from bot.app import App
from bot.web.app import create_web_app
from db.accounts import Accounts
from db.models import AuditEntry, Caseworker, HandoffRequest
from tests.support import Transcript

PASSWORD = "mật khẩu đủ dài 123"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" value="([^"]+)"')


async def account(
    app: App, name: str, role: str = "caseworker", team: str = "city", locale: str = "vi"
) -> Caseworker:
    """A console account, its team created when new."""
    async with app.conversations.sessions() as session, session.begin():
        accounts = Accounts(session)
        if team not in {t.code for t in await accounts.teams()}:
            await accounts.add_team(team, team.title(), [])
        return await accounts.add_caseworker(
            name, PASSWORD, role, team, locale, app.conversations.clock()
        )


@asynccontextmanager
async def client(app: App, base: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the real web app, in process."""
    transport = httpx.ASGITransport(app=create_web_app(app))
    async with httpx.AsyncClient(transport=transport, base_url=base) as http:
        yield http


def token(html: str) -> str:
    """The CSRF token a page put in its forms."""
    found = TOKEN.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def nonce(html: str) -> str:
    """A form's nonce."""
    found = NONCE.search(html)
    assert found, "no nonce in the page"
    return found.group(1)


async def login(http: httpx.AsyncClient, name: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the login form, as a browser would."""
    page = await http.get("/console/login")
    return await http.post(
        "/console/login",
        data={"username": name, "password": password, "csrf_token": token(page.text)},
    )


async def post_form(
    http: httpx.AsyncClient, page_url: str, action: str, **fields: str
) -> httpx.Response:
    """Load a page, then submit one of its forms with its token and nonce."""
    page = await http.get(page_url)
    data = {"csrf_token": token(page.text), **fields}
    if "nonce" not in fields and NONCE.search(page.text):
        data["nonce"] = nonce(page.text)
    return await http.post(action, data=data)


async def urgent_case(app: App, chat: str = "person") -> tuple[Transcript, HandoffRequest]:
    """A person writes danger words: the conversation opens an urgent case (city team)."""
    person = Transcript(app, chat=chat)
    await person.send("cứu tôi với")
    async with app.conversations.sessions() as session:
        case = await session.scalar(
            select(HandoffRequest)
            .where(HandoffRequest.contact_id == person.contact_id)
            .order_by(HandoffRequest.id.desc())
        )
    assert case is not None
    return person, case


async def audit_rows(app: App) -> list[tuple[str, str, int | None, str]]:
    """(actor, action, case, detail) of every audit row, oldest first."""
    async with app.conversations.sessions() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(r.actor, r.action, r.case_id, r.detail) for r in rows]
