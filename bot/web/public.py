"""The public page: support addresses by commune name (new or old) or location, and a quick exit."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from bot.app import App
from bot.services.directory.store import MAX_RESULTS
from dialogs.directory import Page, PlaceView, Service, Ward
from dialogs.find import FILTERS, PAGE, SERVICE_LABELS, facts
from dialogs.i18n import N_, Catalogs, Translator
from dialogs.text import clean

QUICK_EXIT_URL = "https://www.google.com/search?q=thoi+tiet+hai+phong"
"""Where quick exit goes: a neutral page that a person could plausibly have open."""
STATIC_DIR = Path(str(resources.files("bot.web") / "static"))
MAX_QUERY = 120
MAX_PAGE = MAX_RESULTS // PAGE
HEADERS = {
    # Nothing of a search stays in the browser's cache or leaks to another site.
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
}
TEXTS = {
    "title": N_("web.title"), "heading": N_("web.heading"), "intro": N_("web.intro"),
    "quick_exit": N_("web.quick_exit"), "quick_exit_hint": N_("web.quick_exit_hint"),
    "quick_exit_hint_nojs": N_("web.quick_exit_hint_nojs"),
    "skip": N_("web.skip"), "languages": N_("web.languages"), "hotlines": N_("web.hotlines"),
    "search": N_("web.search"), "q_label": N_("web.q_label"), "q_hint": N_("web.q_hint"),
    "service_label": N_("web.service_label"), "all_services": N_("web.all_services"),
    "submit": N_("web.submit"), "locate": N_("web.locate"), "locating": N_("web.locating"),
    "locate_failed": N_("web.locate_failed"), "results": N_("web.results"),
    "always": N_("web.always"), "map": N_("web.map"), "call": N_("web.call"),
    "previous": N_("web.previous"), "more": N_("find.more"), "pick": N_("find.pick"),
    "none": N_("find.none"), "not_found_hint": N_("web.not_found_hint"),
    "privacy": N_("web.privacy"), "source": N_("web.source"), "error": N_("web.error"),
}  # fmt: skip
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
_WARD_CODE = re.compile(r"^\d{1,10}$")
_templates = Environment(
    loader=PackageLoader("bot.web", "templates"), autoescape=True, trim_blocks=True,
    lstrip_blocks=True,
)  # fmt: skip


class BadInput(ValueError):
    """A query the page refuses; the message id says why to the person."""


@dataclass(frozen=True)
class Search:
    """What the person asked for, checked."""

    q: str = ""
    ward: str = ""
    lat: float | None = None
    lon: float | None = None
    service: str = ""
    page: int = 1

    def params(self, **change: Any) -> dict[str, Any]:
        """Query parameters for a link to this search, with some changed; empty ones dropped."""
        values = {"q": self.q, "ward": self.ward, "lat": self.lat, "lon": self.lon,
                  "service": self.service, "page": self.page} | change  # fmt: skip
        return {k: v for k, v in values.items() if v not in ("", None) and (k, v) != ("page", 1)}


def _coordinate(raw: str, limit: float) -> float:
    """A latitude or longitude as typed in the URL; refused when it is not a real position."""
    try:
        value = float(raw[:32])
    except ValueError:
        raise BadInput(N_("web.error.location")) from None
    if not math.isfinite(value) or abs(value) > limit:
        raise BadInput(N_("web.error.location"))
    return round(value, 5)


def readable(text: str) -> str:
    """NFC, control characters dropped, spaces collapsed: what is searched and shown back."""
    return clean("".join(c if c.isprintable() else " " for c in text))


def parse(q: str, ward: str, lat: str, lon: str, service: str, page: str) -> Search:
    """Check every parameter; raise BadInput with what to tell the person."""
    text = readable(q)
    if len(text) > MAX_QUERY:
        raise BadInput(N_("web.error.too_long"))
    if service and service not in {s.value for s in FILTERS}:
        raise BadInput(N_("web.error.service"))
    if ward and not _WARD_CODE.match(ward):
        raise BadInput(N_("web.error.ward"))
    if bool(lat.strip()) != bool(lon.strip()):
        raise BadInput(N_("web.error.location"))
    point = (_coordinate(lat, 90), _coordinate(lon, 180)) if lat.strip() else (None, None)
    number = page.strip() or "1"
    if not number.isascii() or not number.isdigit() or not 1 <= int(number) <= MAX_PAGE:
        raise BadInput(N_("web.error.page"))
    return Search(text, ward, point[0], point[1], service, int(number))


def tel(phone: str) -> str:
    """A dialable link: digits only, keeping a leading + (a country code)."""
    digits = re.sub(r"\D", "", phone)
    return "tel:" + ("+" + digits if phone.strip().startswith("+") else digits)


def place_view(place: PlaceView, t: Translator, near: bool = False) -> dict[str, Any]:
    """One result as the template shows it: the chat's own words (dialogs.find.facts)."""
    view = asdict(facts(place, t, near))
    view["phones"] = [(p, tel(p)) for p in place.phones if re.search(r"\d", p)]
    return view


def _page_context(page: Page, search: Search, link: Any, t: Translator) -> dict[str, Any]:
    """Results, the range shown, and links to the pages around it."""
    near = search.lat is not None
    first, last = page.offset + 1, page.offset + len(page.places)
    more = page.offset + PAGE < page.total and search.page < MAX_PAGE
    notice = ""
    if page.fallback and search.service:
        notice = t("find.none_near", service=t(SERVICE_LABELS[Service(search.service)]))
    return {
        "notice": notice,
        "places": [place_view(p, t, near) for p in page.places],
        "always": [place_view(h, t) for h in page.hotlines],
        "start": first,
        "range": t("web.range", first=first, last=last) if page.places else "",
        "previous": link(search.params(page=search.page - 1)) if search.page > 1 else "",
        "next": link(search.params(page=search.page + 1)) if more else "",
    }


def run(app: App, search: Search, link: Any, t: Translator) -> dict[str, Any]:
    """The search: near a point, in a commune, a choice of communes, or nothing found."""
    directory, offset, service = app.directory, (search.page - 1) * PAGE, search.service or None
    if search.lat is not None and search.lon is not None:
        page = directory.near(search.lat, search.lon, service, offset, PAGE)
        if page.outside:
            always = [place_view(h, t) for h in page.hotlines]
            return {"heading": t("web.results"), "outside": t("find.outside", area=page.outside),
                    "always": always}  # fmt: skip
        return {"heading": t("find.near")} | _page_context(page, search, link, t)
    wards: list[Ward] = directory.resolve(search.q) if search.q else []
    if search.ward:
        chosen = [w for w in wards if w.code == search.ward] or [directory.ward(search.ward)]
        wards = [w for w in chosen if w is not None]
        if not wards:
            raise BadInput(N_("web.error.ward"))
    if not search.q and not search.ward:
        return {}
    if not wards:
        return {"not_found": t("web.not_found", text=search.q)}
    if len(wards) > 1:
        return {
            "candidates": [
                (w.name if not w.typed_as else t("find.was", new=w.name, old=w.typed_as),
                 link(search.params(ward=w.code, page=1)))
                for w in wards
            ]
        }  # fmt: skip
    ward = wards[0]
    page = directory.in_ward(ward.code, service, offset, PAGE)
    return {
        "heading": t("find.in_ward", ward=ward.name),
        "renamed": t("find.renamed", old=ward.typed_as, new=ward.name) if ward.typed_as else "",
    } | _page_context(page, search, link, t)


def public_router(app: App, quick_exit_url: str = QUICK_EXIT_URL) -> APIRouter:
    """`/` in Vietnamese, `/en` (or `?lang=en`) in English."""
    router = APIRouter()
    catalogs = Catalogs()
    template = _templates.get_template("public.html")

    def render(lang: str, raw: dict[str, str]) -> HTMLResponse:
        """Check, search and render; refused input is said on the page, with status 400."""
        t = catalogs.translator(lang if lang in LANG_NAMES else None)
        base = "/en" if t.lang == "en" else "/"

        def link(params: dict[str, Any], to: str = base, at: str = "#results") -> str:
            return to + ("?" + urlencode(params) if params else "") + at

        status, error, search, found = 200, "", Search(), {}
        try:
            search = parse(**raw)
            found = run(app, search, link, t)
        except BadInput as refused:
            status, error = 400, t(str(refused), max=MAX_QUERY)
            search = Search(q=readable(raw["q"])[:MAX_QUERY])
        html = template.render(
            lang=t.lang, text={k: t(v) for k, v in TEXTS.items()}, error=error,
            search=search, found=found, action=base, quick_exit_url=quick_exit_url,
            max_query=MAX_QUERY,
            services=[(s.value, t(SERVICE_LABELS[s])) for s in FILTERS],
            hotlines=[place_view(h, t) for h in app.directory.hotlines if h.verified],
            switch=[(code, name, link(search.params(), "/en" if code == "en" else "/", ""))
                    for code, name in LANG_NAMES.items()],
        )  # fmt: skip
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    @router.get("/", response_class=HTMLResponse)
    async def home(
        lang: str = "vi", q: str = "", ward: str = "", lat: str = "", lon: str = "",
        service: str = "", page: str = "",
    ) -> HTMLResponse:  # fmt: skip
        """The page in Vietnamese, or in the language asked for."""
        raw = {"q": q, "ward": ward, "lat": lat, "lon": lon, "service": service, "page": page}
        return render(lang, raw)

    @router.get("/en", response_class=HTMLResponse)
    async def english(
        q: str = "", ward: str = "", lat: str = "", lon: str = "", service: str = "",
        page: str = "",
    ) -> HTMLResponse:  # fmt: skip
        """The page in English."""
        raw = {"q": q, "ward": ward, "lat": lat, "lon": lon, "service": service, "page": page}
        return render("en", raw)

    # Monitors and link checkers ask with HEAD; the same page answers, without its body.
    router.add_api_route("/", home, methods=["HEAD"], include_in_schema=False)
    router.add_api_route("/en", english, methods=["HEAD"], include_in_schema=False)
    return router
