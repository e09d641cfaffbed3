"""Pages outside the search: the 404 page, in the language the person reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from babel import Locale, UnknownLocaleError
from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from bot.web.public import HEADERS, LANG_NAMES, QUICK_EXIT_URL, _templates
from dialogs.i18n import N_, Catalogs

TEXTS = {
    "title": N_("web.not_found_page"), "body": N_("web.not_found_page_body"),
    "home": N_("web.not_found_page_home"), "brand": N_("web.title"),
    "quick_exit": N_("web.quick_exit"),
}  # fmt: skip


def accepted(header: str) -> list[str]:
    """Accept-Language as language codes, most wanted first."""
    ranked = []
    for order, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        try:
            language = Locale.parse(tag.strip().replace("-", "_")).language if tag.strip() else ""
        except (ValueError, UnknownLocaleError):
            language = ""
        if language and q > 0:
            ranked.append((-q, order, language))
    return [language for _q, _order, language in sorted(ranked)]


def page_language(request: Request) -> str:
    """As the public page chooses: /en or ?lang=; else the browser's languages; else Vietnamese."""
    asked, path = request.query_params.get("lang", ""), request.url.path
    if asked in LANG_NAMES:
        return asked
    if path == "/en" or path.startswith("/en/"):
        return "en"
    wanted = [x for x in accepted(request.headers.get("accept-language", "")) if x in LANG_NAMES]
    return wanted[0] if wanted else "vi"


def not_found_handler(catalogs: Catalogs) -> Callable[[Request, Exception], Awaitable[Response]]:
    """An HTML 404 for unknown paths; other HTTP errors keep FastAPI's short answer."""
    template = _templates.get_template("not_found.html")

    async def handle(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code != 404:
            return await http_exception_handler(request, error)
        t = catalogs.translator(page_language(request))
        html = template.render(
            lang=t.lang, quick_exit_url=QUICK_EXIT_URL, home="/en" if t.lang == "en" else "/",
            text={k: t(v) for k, v in TEXTS.items()},
        )  # fmt: skip
        return HTMLResponse(html, status_code=404, headers=HEADERS)

    return handle
