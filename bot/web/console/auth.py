"""Signing in and out, and the dependency every console route uses to know who asks.

The session is a cookie signed with itsdangerous (HttpOnly, SameSite=Strict, Secure over
HTTPS), not a server-side session: a server-side one needs a table, and several `hotline
serve` processes would have to share it. The cookie holds only the account id and a
fingerprint of its password hash, and each request reads the account again: a deactivated
account, a new role or team, or a changed password take effect on the next click. It
expires after HOTLINE_CONSOLE_SESSION_HOURS; logging out deletes it from the browser.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, SignatureExpired

from bot.services.access import Actor
from bot.web.console.render import render
from bot.web.console.state import Console, console_of
from db.accounts import Accounts
from db.audit import Audit
from db.models import Caseworker

COOKIE = "hotline_console"
ROLE_RANK = {"caseworker": 0, "supervisor": 1, "admin": 2}
API_PREFIXES = ("/console/api/", "/console/live", "/console/media/")
"""Answered 401 without a session (scripts, the live stream, media), not sent to the login."""


class LoginRequired(Exception):
    """No valid session: pages go to the login, APIs answer 401."""


class RoleRequired(Exception):
    """Signed in, but the page needs a higher role: 403."""


def _fingerprint(account: Caseworker) -> str:
    """Changes with the password, so a new password ends every older session."""
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:16]


def address(request: Request) -> str:
    """The client's address as the server sees it (uvicorn's proxy headers set it behind one)."""
    return request.client.host if request.client else ""


def secure(request: Request) -> bool:
    """Cookies are Secure over HTTPS, and always when a proxy in front speaks HTTPS."""
    return request.url.scheme == "https" or console_of(request).app.settings.console_https


async def current_actor(request: Request) -> Actor | None:
    """The signed-in account as an Actor, or None."""
    if "hotline.actor" in request.scope:
        cached: Actor | None = request.scope["hotline.actor"]
        return cached
    console = console_of(request)
    actor = None
    raw = request.cookies.get(COOKIE, "")
    max_age = int(console.app.settings.console_session_hours * 3600)
    try:
        data = (await console.signer()).loads(raw, max_age=max_age) if raw else None
    except (BadSignature, SignatureExpired):
        data = None
    if isinstance(data, dict) and isinstance(data.get("a"), int):
        async with console.app.conversations.sessions() as session:
            account = await Accounts(session).get(data["a"])
        if account is not None and account.active and data.get("h") == _fingerprint(account):
            actor = Actor(
                id=account.id, username=account.username, role=account.role, team=account.team,
                address=address(request), locale=account.locale,
            )  # fmt: skip
    request.scope["hotline.actor"] = actor
    return actor


def require_actor(role: str | None = None) -> Callable[[Request], Awaitable[Actor]]:
    """A FastAPI dependency: the signed-in Actor, at least of this role (admin > supervisor)."""

    async def dependency(request: Request) -> Actor:
        actor = await current_actor(request)
        if actor is None:
            raise LoginRequired()
        if role is not None and ROLE_RANK.get(actor.role, -1) < ROLE_RANK[role]:
            raise RoleRequired()
        return actor

    return dependency


SignedIn = Annotated[Actor, Depends(require_actor())]
"""Any signed-in account, as a route parameter type: `actor: SignedIn`."""
Supervisor = Annotated[Actor, Depends(require_actor("supervisor"))]
Admin = Annotated[Actor, Depends(require_actor("admin"))]


def _safe_next(raw: str) -> str:
    """Only a console path of our own: never an open redirect."""
    ok = raw.startswith("/console") and not raw.startswith("//") and "\\" not in raw
    return raw if ok and "\r" not in raw and "\n" not in raw else "/console"


def login_redirect(request: Request) -> Response:
    """To the login page, coming back here after."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/console/login?next={quote(_safe_next(target))}", status_code=303)


def auth_router() -> APIRouter:
    """/console/login and /console/logout."""
    router = APIRouter()

    def login_page(request: Request, error: str = "", status: int = 200, nxt: str = "") -> Response:
        return render(
            request, None, "console/login.html", status=status, error=error,
            next=_safe_next(nxt or request.query_params.get("next", "")),
        )  # fmt: skip

    @router.get("/console/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        """The login form (already signed in: straight to the inbox)."""
        if await current_actor(request) is not None:
            return RedirectResponse("/console", status_code=303)
        return login_page(request)

    @router.post("/console/login", response_class=HTMLResponse)
    async def login(
        request: Request, username: str = Form(""), password: str = Form(""),
        next: str = Form("/console"),
    ) -> Response:  # fmt: skip
        """Check the password; limited per account and per address, every attempt audited."""
        console = console_of(request)
        name = username.strip()[:64]
        where = address(request)
        keys = (("account", name.casefold()), ("address", where))
        limits = (console.per_account, console.per_address)
        allowed = [await console.limiter.test(i, *k) for i, k in zip(limits, keys, strict=True)]
        if not all(allowed):
            await _audit_login(console, None, name, "login_limited", where)
            return login_page(request, "login_limited", 429, next)
        async with console.app.conversations.sessions() as session, session.begin():
            accounts = Accounts(session)
            checked = await accounts.check_login(name, password[:1024])
            account = checked.account
            if account is not None and checked.rehash:
                await accounts.set_password(account, password)
            claims = {"a": account.id, "h": _fingerprint(account)} if account else None
        token = (await console.signer()).dumps(claims) if claims else ""
        if account is None:  # only failures count towards the limits
            for item, key in zip(limits, keys, strict=True):
                await console.limiter.hit(item, *key)
            await _audit_login(console, None, name, "login_failed", where)
            return login_page(request, "login_failed", 401, next)
        await _audit_login(console, account.id, account.username, "login", where)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            COOKIE, token, max_age=int(console.app.settings.console_session_hours * 3600),
            path="/console", httponly=True, samesite="strict", secure=secure(request),
        )  # fmt: skip
        return response

    @router.post("/console/logout")
    async def logout(request: Request) -> Response:
        """Forget the session in this browser."""
        actor = await current_actor(request)
        if actor is not None:
            await _audit_login(
                console_of(request), actor.id, actor.username, "logout", actor.address
            )
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE, path="/console", httponly=True, samesite="strict",
                               secure=secure(request))  # fmt: skip
        return response

    return router


async def _audit_login(
    console: Console, actor_id: int | None, name: str, action: str, where: str
) -> None:
    """Logins, refusals and logouts go to the audit log (the name typed, never the password)."""
    async with console.app.conversations.sessions() as session, session.begin():
        Audit(session).record(
            actor_id, name or "-", action, console.app.conversations.clock(), address=where
        )


def handlers() -> dict[Any, Callable[[Request, Any], Awaitable[Response]]]:
    """Exception handlers: no session, or too low a role."""

    async def no_session(request: Request, _error: Exception) -> Response:
        if request.url.path.startswith(API_PREFIXES) or request.method != "GET":
            return Response("login required", status_code=401, media_type="text/plain")
        return login_redirect(request)

    async def low_role(request: Request, _error: Exception) -> Response:
        actor = await current_actor(request)
        return render(request, actor, "console/error.html", status=403, message="forbidden")

    return {LoginRequired: no_session, RoleRequired: low_role}
