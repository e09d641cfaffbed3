"""/console/dashboard: supervisors' figures as tables, SVG charts and a CSV; small counts hidden.

Also serves /console/extras.css, the stylesheet of the extras' pages and the charts' CSS
(the strict CSP allows no inline style, so pygal's is served from here).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from importlib import resources

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.app import App
from bot.services.access import Actor
from bot.services.charts import Series, bar_chart, chart_css
from bot.services.figures import (
    COMMUNE,
    HIDDEN,
    NEEDS,
    NOT_SAID,
    RETURN_MODE,
    Figures,
    Table,
    as_number,
    figures,
    to_csv,
)
from bot.web.console import NavItem, add_nav, render, require_actor
from bot.web.public import HEADERS
from db.audit import Audit
from dialogs.i18n import N_, Translator

VIEWERS = "supervisor"
TEXTS = {
    "title": N_("console.dash.title"), "intro": N_("console.dash.intro"),
    "small": N_("console.dash.small"), "hidden_total": N_("console.dash.hidden_total"),
    "csv": N_("console.dash.csv"), "declarations": N_("console.dash.declarations"),
    "cases": N_("console.dash.cases"), "total": N_("console.dash.total"),
    "not_said": N_("console.dash.not_said"), "none": N_("console.dash.none"),
    "median": N_("console.dash.median"), "median_hidden": N_("console.dash.median_hidden"),
    "answered": N_("console.dash.answered"), "nav": N_("console.nav.dashboard"),
    "commune": N_("console.dash.commune"), "month": N_("console.dash.month"),
    "return_mode": N_("console.dash.return_mode"), "needs": N_("console.dash.needs"),
    "table": N_("console.dash.table"), "key": N_("console.dash.key"),
    "label": N_("console.dash.label"),
    "minutes": N_("console.dash.minutes"), "hours": N_("console.dash.hours"),
}  # fmt: skip
NOT_SAID_TEXT, MINUTES, HOURS = TEXTS["not_said"], TEXTS["minutes"], TEXTS["hours"]
STEP_OF = {RETURN_MODE: "return_how", NEEDS: "needs"}
"""The declaration question whose option values a table counts (their labels name the rows)."""


def router(app: App) -> APIRouter:
    """The dashboard, its CSV and the extras' stylesheet."""
    routes = APIRouter()
    add_nav(NavItem(TEXTS["nav"], "/console/dashboard", VIEWERS))
    viewer, signed_in = Depends(require_actor(VIEWERS)), Depends(require_actor())

    def labeller(t: Translator) -> Callable[[str, str], str]:
        def label(table: str, key: str) -> str:
            if key == NOT_SAID:
                return t(NOT_SAID_TEXT)
            if table == COMMUNE:
                ward = app.directory.ward(key)
                return ward.name if ward else key
            if table in STEP_OF:
                option = app.content.declaration.step(STEP_OF[table]).option(key)
                return t(option.label) if option else key
            return key

        return label

    async def current() -> Figures:
        async with app.conversations.sessions() as session:
            return await figures(session)

    @routes.get("/console/dashboard", response_class=HTMLResponse)
    async def dashboard(request: Request, actor: Actor = viewer) -> Response:
        """Tables and charts of the figures."""
        t = app.content.catalogs.translator(actor.locale)
        figs, label = await current(), labeller(t)
        tables = [
            {"table": table, "caption": t(TEXTS[table.name]),
             "rows": [(label(table.name, r.key), r.counts) for r in table.rows],
             "chart": _chart(table, t, label)}
            for table in figs.tables
        ]  # fmt: skip
        return render(
            request, actor, "console/dashboard.html", w=TEXTS, figs=figs, tables=tables,
            median=_duration(figs.median_response, t), any_hidden=_any_hidden(figs),
        )  # fmt: skip

    @routes.get("/console/dashboard.csv", response_model=None)
    async def export(actor: Actor = viewer) -> Response:
        """The same tables as CSV ("<5" stays); the export is audited."""
        t = app.content.catalogs.translator(actor.locale)
        figs = await current()
        text = to_csv(figs, labeller(t), lambda key: t(TEXTS[key]))
        now = app.conversations.clock()
        async with app.conversations.sessions() as session, session.begin():
            Audit(session).record(
                actor.id, actor.username, "export", now, detail="dashboard.csv",
                address=actor.address,
            )  # fmt: skip
        name = f"hotline-figures-{now:%Y-%m-%d}.csv"
        headers = HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'}
        # A byte order mark, so that spreadsheet programs read the Vietnamese as UTF-8.
        return Response("\ufeff" + text, media_type="text/csv; charset=utf-8", headers=headers)

    @routes.get("/console/extras.css", response_model=None)
    async def stylesheet(actor: Actor = signed_in) -> Response:
        """The extras' pages' own rules, then the charts' (pygal's, moved out of the SVG)."""
        return Response(_css(), media_type="text/css", headers=HEADERS)

    return routes


def _chart(table: Table, t: Translator, label: Callable[[str, str], str]) -> str:
    """An inline SVG of a table; hidden counts get no bar, and "<5" or "—" after their label."""
    labels = [
        " ".join([label(table.name, r.key), *(f"({c})" for c in r.counts if as_number(c) is None)])
        for r in table.rows
    ]
    series = [
        Series(t(TEXTS[m]), [as_number(r.counts[i]) for r in table.rows])
        for i, m in enumerate(table.measures)
    ]
    return bar_chart(table.name, t(TEXTS[table.name]), labels, series)


def _any_hidden(figs: Figures) -> bool:
    """Whether a "—" is on the page, so its meaning is told."""
    cells = [c for t in figs.tables for r in t.rows for c in r.counts]
    cells += [c for t in figs.tables for c in t.total or ()]
    return HIDDEN in [*cells, figs.declarations, figs.cases, figs.answered]


def _duration(value: timedelta | None, t: Translator) -> str | None:
    if value is None:
        return None
    minutes = value.total_seconds() / 60
    if minutes < 120:
        return t(MINUTES, count=round(minutes))
    return t(HOURS, count=f"{minutes / 60:.1f}")


def _css() -> str:
    own = resources.files("bot.web") / "static" / "extras.css"
    return own.read_text(encoding="utf-8") + "\n" + chart_css()
