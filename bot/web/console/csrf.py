"""CSRF for the console's forms: starlette-csrf's double-submit check, fed from the form too.

starlette-csrf reads the token from a header only, which plain HTML forms cannot send; the
console must work without JavaScript, so the form's hidden field is read as well. The token
checking and signing stay the library's; this adds only where the token is found, and the
token a page must embed before the cookie exists (the library would make it after the page).
"""

from __future__ import annotations

import http.cookies
import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from itsdangerous.url_safe import URLSafeSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_csrf import CSRFMiddleware

FIELD = "csrf_token"
COOKIE = "hotline_csrf"
MAX_FORM = 64 * 1024
"""The largest console form body read here (a reply is at most a few thousand characters)."""
SCOPE_KEY = "hotline.csrf"


class FormCSRFMiddleware(CSRFMiddleware):
    """Checks every unsafe request under /console; the token comes from the header or the form."""

    def __init__(
        self, app: ASGIApp, key: Callable[[], Awaitable[bytes]], *, force_secure: bool = False
    ) -> None:
        super().__init__(
            app, "unset", exempt_urls=[re.compile(r"^(?!/console(/|$))")], cookie_name=COOKIE,
            cookie_path="/console", cookie_httponly=True, cookie_samesite="strict",
        )  # fmt: skip
        self.force_secure, self._key, self._keyed = force_secure, key, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/console"):
            await self.app(scope, receive, send)
            return
        if not self._keyed:  # the secret is the database's (every process agrees on it)
            self.serializer = URLSafeSerializer(await self._key(), "csrftoken")
            self._keyed = True
        request = Request(scope)
        cookie = request.cookies.get(self.cookie_name)
        token = cookie if cookie and self._valid(cookie) else self._generate_csrf_token()
        scope[SCOPE_KEY] = {"token": token, "set": token != cookie, "form": {}}
        if request.method not in self.safe_methods:
            body = await _read_body(receive)
            if body is None:
                await _too_large(scope, receive, send)
                return
            scope[SCOPE_KEY]["form"] = _form_fields(request, body)
            receive = _replay(body)
        await super().__call__(scope, receive, send)

    def _valid(self, token: str) -> bool:
        try:
            self.serializer.loads(token)
        except Exception:
            return False
        return True

    async def _get_submitted_csrf_token(self, request: Request) -> str | None:
        header = request.headers.get(self.header_name)
        if header:
            return header
        value = request.scope.get(SCOPE_KEY, {}).get("form", {}).get(FIELD)
        return value if isinstance(value, str) else None

    async def send(self, message: Message, send: Send, scope: Scope) -> None:
        state = scope.get(SCOPE_KEY)
        if message["type"] == "http.response.start" and state and state["set"]:
            headers = MutableHeaders(scope=message)
            cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            cookie[self.cookie_name] = state["token"]
            morsel = cookie[self.cookie_name]
            morsel["path"] = self.cookie_path
            morsel["httponly"] = True
            morsel["samesite"] = self.cookie_samesite
            morsel["secure"] = self.force_secure or scope.get("scheme") == "https"
            headers.append("set-cookie", cookie.output(header="").strip())
        await send(message)


def csrf_token(request: Request) -> str:
    """The token to put in this page's forms (the one its cookie holds, or will)."""
    state = request.scope.get(SCOPE_KEY)
    return str(state["token"]) if state else ""


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None past MAX_FORM."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _form_fields(request: Request, body: bytes) -> dict[str, str]:
    """The urlencoded form's fields (first value of each); nothing for other bodies."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items() if values}


def _replay(body: bytes) -> Receive:
    """A receive that hands the already-read body to the app, then waits as the server would."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    from starlette.responses import PlainTextResponse

    await PlainTextResponse("Request too large", status_code=413)(scope, receive, send)
