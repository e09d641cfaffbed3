"""The inbox: the cases an account may see, by view, most urgent and oldest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.web.console.auth import SignedIn
from bot.web.console.render import render


def inbox_router() -> APIRouter:
    """/console: the inbox."""
    router = APIRouter()

    @router.get("/console", response_class=HTMLResponse)
    async def inbox(request: Request, actor: SignedIn) -> Response:
        """One view of the queue."""
        return render(request, actor, "console/inbox.html", cases=[], view="mine")

    return router
