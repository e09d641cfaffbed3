"""Finding support: by shared location, by commune name (new or old), and by service."""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_decimal

from dialogs import buttons as B
from dialogs.directory import Page, PlaceView, Service, Ward
from dialogs.events import Button, Reply
from dialogs.i18n import N_, Translator
from dialogs.state import Screen
from dialogs.turn import Turn

PAGE = 5
SERVICE_LABELS = {
    Service.REPORT: N_("service.report"),
    Service.SHELTER: N_("service.shelter"),
    Service.MEDICAL: N_("service.medical"),
    Service.PSYCHOLOGICAL: N_("service.psychological"),
    Service.LEGAL: N_("service.legal"),
    Service.SCHOOLING: N_("service.schooling"),
    Service.JOB: N_("service.job"),
    Service.LOAN: N_("service.loan"),
    Service.HOTLINE: N_("service.hotline"),
}
FILTERS = [s for s in Service if s is not Service.HOTLINE]


def map_link(place: PlaceView) -> str:
    """An OpenStreetMap link from the coordinates: works on any phone, no account needed."""
    return (
        f"https://www.openstreetmap.org/?mlat={place.lat:.5f}&mlon={place.lon:.5f}"
        f"#map=16/{place.lat:.5f}/{place.lon:.5f}"
    )


@dataclass(frozen=True)
class Facts:
    """One result in words, shared by the chat and the public page so they never differ."""

    name: str
    distance: str
    services: str
    address: str
    phones: tuple[str, ...]
    no_phone: str
    hours: str
    map: str
    caveat: str


def facts(place: PlaceView, t: Translator, near: bool) -> Facts:
    """The words for one place; the distance only from the person's own position.

    From a commune's centre its own office would read "0 km", which says nothing.
    """
    distance = ""
    if near and place.distance_km is not None:
        km = format_decimal(round(place.distance_km, 1), format="#,##0.0", locale=t.lang)
        distance = t("find.distance", km=km)
    services = [t(SERVICE_LABELS[Service(s)]) for s in place.services if s in set(Service)]
    caveat = ""
    if place.ward_centre:
        caveat = t("find.ward_centre")
    elif not place.verified:
        caveat = t("find.unverified")
    located = place.lat is not None and place.lon is not None
    return Facts(
        name=place.name(t.lang),
        distance=distance,
        services=t("find.services", services=", ".join(services)) if services else "",
        address=place.address,
        phones=place.phones,
        no_phone=t("find.no_phone"),
        hours=t("find.hours", hours=place.hours) if place.hours else "",
        map=map_link(place) if located else "",
        caveat=caveat,
    )


def describe(place: PlaceView, t: Translator, number: int | None = None, near: bool = True) -> str:
    """One result as a chat message: name, distance, services, phones, hours, map, caveat."""
    f = facts(place, t, near)
    head = f"{number}. {f.name}" if number else f.name
    lines = [head + (" — " + f.distance if f.distance else "")]
    lines += ["   " + x for x in (f.services, f.address) if x]
    lines.append("   ☎ " + (", ".join(f.phones) if f.phones else f.no_phone))
    lines += ["   " + x for x in (f.hours, f.map) if x]
    if f.caveat:
        lines.append("   ⚠ " + f.caveat)
    return "\n".join(lines)


def _service_buttons(t: Translator, chosen: str | None) -> list[tuple[Button, ...]]:
    """Filters, two per row; the chosen one is ticked."""
    cells = [
        Button(("✓ " if s == chosen else "") + t(SERVICE_LABELS[s]), f"{B.SERVICE}{s.value}")
        for s in FILTERS
    ]
    return list(B.rows(cells, 2))


def ask(turn: Turn) -> Reply:
    """How do you want to search: location, commune name, or a service first."""
    t = turn.t
    chosen = turn.state.search.get("service")
    text = t("find.intro")
    if chosen:
        text += "\n\n" + t("find.filtering", service=t(SERVICE_LABELS[Service(chosen)]))
    rows = [*_service_buttons(t, chosen), (Button(t("nav.menu"), B.MENU),)]
    return Reply(text, tuple(rows), request_location=t("nav.share_location"))


def pick(turn: Turn, wards: list[Ward]) -> Reply:
    """Several communes match what was typed: let the person choose."""
    t = turn.t
    cells = []
    for ward in wards:
        label = ward.name if not ward.typed_as else t("find.was", new=ward.name, old=ward.typed_as)
        cells.append((Button(label, f"{B.WARD}{ward.code}"),))
    rows = [*cells, (Button(t("find.again"), B.FIND), Button(t("nav.menu"), B.MENU))]
    return Reply(t("find.pick"), tuple(rows))


def _header(turn: Turn, page: Page) -> list[str]:
    """What the list is: near you, or for a commune; and why it is not what was asked for."""
    t, search = turn.t, turn.state.search
    if page.outside:
        return [t("find.outside", area=page.outside)]
    near = search.get("lat") is not None
    header = t("find.near") if near else t("find.in_ward", ward=search.get("ward_name", ""))
    if search.get("typed_as"):
        header += "\n" + t("find.renamed", old=search["typed_as"], new=search.get("ward_name", ""))
    if page.fallback and search.get("service"):
        label = t(SERVICE_LABELS[Service(search["service"])])
        return [header, t("find.none_near", service=label)]
    return [header]


def results(turn: Turn, page: Page) -> Reply:
    """A page of results, then 111; buttons for more, filters, a new search and the menu."""
    t, search = turn.t, turn.state.search
    parts = _header(turn, page)
    near = search.get("lat") is not None
    parts += [describe(p, t, page.offset + n + 1, near) for n, p in enumerate(page.places)]
    if not page.places and not page.outside:
        parts.append(t("find.none"))
    parts += [describe(h, t) for h in page.hotlines]
    rows: list[tuple[Button, ...]] = []
    if page.offset + PAGE < page.total:
        rows.append((Button(t("find.more"), B.MORE),))
    if not page.outside:
        rows += _service_buttons(t, search.get("service"))
    rows.append((Button(t("find.again"), B.FIND), Button(t("nav.menu"), B.MENU)))
    return Reply("\n\n".join(parts), tuple(rows))


def search_page(turn: Turn) -> Page:
    """Run the search the state describes."""
    s = turn.state.search
    offset, service = int(s.get("offset", 0)), s.get("service")
    if s.get("lat") is not None:
        return turn.directory.near(float(s["lat"]), float(s["lon"]), service, offset, PAGE)
    return turn.directory.in_ward(str(s.get("ward", "")), service, offset, PAGE)


def show(turn: Turn) -> None:
    """Show the current page of results."""
    turn.state.screen = Screen.FIND_RESULTS
    turn.say(results(turn, search_page(turn)))


def start(turn: Turn) -> None:
    """Open the search, keeping a chosen service filter."""
    service = turn.state.search.get("service")
    turn.state.search = {"service": service} if service else {}
    turn.state.screen = Screen.FIND
    turn.say(ask(turn))


def by_location(turn: Turn, lat: float, lon: float) -> None:
    """Results nearest to a shared location."""
    turn.state.search = {"lat": lat, "lon": lon, "service": turn.state.search.get("service")}
    show(turn)


def by_ward(turn: Turn, ward: Ward) -> None:
    """Results for one commune."""
    turn.state.search = {
        "ward": ward.code, "ward_name": ward.name, "typed_as": ward.typed_as,
        "service": turn.state.search.get("service"),
    }  # fmt: skip
    show(turn)


def by_name(turn: Turn, text: str) -> None:
    """Resolve a typed commune name: results, a choice, or 'not found' with other ways."""
    wards = turn.directory.resolve(text)
    if len(wards) == 1:
        return by_ward(turn, wards[0])
    if wards:
        turn.state.screen = Screen.FIND_PICK
        turn.state.search = {
            "candidates": [w.code for w in wards],
            "typed": {w.code: w.typed_as for w in wards},
            "service": turn.state.search.get("service"),
        }
        return turn.say(pick(turn, wards))
    turn.say(Reply(turn.t("find.not_found", text=text[:80])))
    turn.state.screen = Screen.FIND
    turn.say(ask(turn))


def candidates(turn: Turn) -> list[Ward]:
    """The communes offered on the choice screen, as they were offered."""
    typed = turn.state.search.get("typed") or {}
    out = []
    for code in turn.state.search.get("candidates", []):
        ward = turn.directory.ward(code)
        if ward is not None:
            out.append(
                Ward(ward.code, ward.name, ward.province, ward.lat, ward.lon, typed.get(code))
            )
    return out


def press(turn: Turn, payload: str) -> None:
    """Buttons of the search screens."""
    search = turn.state.search
    if payload.startswith(B.SERVICE):
        chosen = payload.removeprefix(B.SERVICE)
        search["service"] = None if search.get("service") == chosen else chosen
        search["offset"] = 0
        if search.get("lat") is not None or search.get("ward"):
            return show(turn)
        return turn.say(ask(turn))
    if payload == B.MORE:
        search["offset"] = int(search.get("offset", 0)) + PAGE
        return show(turn)
    if payload.startswith(B.WARD):
        code = payload.removeprefix(B.WARD)
        picked = [w for w in candidates(turn) if w.code == code]
        if picked:
            return by_ward(turn, picked[0])
    start(turn)
