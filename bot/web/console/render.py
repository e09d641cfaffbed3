"""Render a console page: the account's language, the CSRF token, the nav, the headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.services.access import Actor
from bot.web.console.csrf import FIELD, csrf_token
from bot.web.console.state import console_of, templates
from bot.web.console.texts import TEXTS
from bot.web.public import HEADERS
from dialogs.i18n import N_, Translator


@dataclass(frozen=True)
class NavItem:
    """A link in the console's nav: a message id, where it goes, who sees it."""

    label: str
    href: str
    role: str | None = None


ROLE_RANK = {"caseworker": 0, "supervisor": 1, "admin": 2}
NAV: list[NavItem] = [
    NavItem(N_("console.view.mine"), "/console?view=mine"),
    NavItem(N_("console.view.unassigned"), "/console?view=unassigned"),
    NavItem(N_("console.view.team"), "/console?view=team"),
    NavItem(N_("console.view.all"), "/console?view=all", "supervisor"),
    NavItem(N_("console.view.closed"), "/console?view=closed"),
]
"""Other console parts add their pages with add_nav (canned replies, lookup, audit, ...)."""


def add_nav(item: NavItem) -> None:
    """Show a page in the nav, once."""
    if item not in NAV:
        NAV.append(item)


def translator(request: Request, actor: Actor | None) -> Translator:
    """The account's language; before login Vietnamese, or English when asked (?lang=en)."""
    lang = actor.locale if actor is not None else request.query_params.get("lang", "vi")
    return console_of(request).catalogs.translator(lang)


def render(
    request: Request, actor: Actor | None, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """A console template (extending console/base.html) as a response with the console headers.

    The context gets: lang, t (translate a message id), text (the console's own words),
    actor, nav, csrf_field and csrf_token (put both in every form), path.
    """
    t = translator(request, actor)
    rank = ROLE_RANK.get(actor.role, -1) if actor else -1
    nav = [
        (t(item.label), item.href)
        for item in NAV
        if actor is not None and (item.role is None or rank >= ROLE_RANK[item.role])
    ]
    html = templates.get_template(template).render(
        lang=t.lang, t=t, text={k: t(v) for k, v in TEXTS.items()}, actor=actor, nav=nav,
        csrf_field=FIELD, csrf_token=csrf_token(request), path=request.url.path,
        current=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status, headers=HEADERS)
