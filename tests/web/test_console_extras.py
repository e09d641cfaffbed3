"""Canned replies, lookup by code, audit log and dashboard: who may do what, and what is shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from db.models import AuditEntry, HandoffRequest
from db.repositories import Consents, Contacts, Declarations
from tests.web.extras_support import add_account, client, extras_web

PAGES = ["/console/canned", "/console/lookup", "/console/audit", "/console/dashboard",
         "/console/dashboard.csv", "/console/extras.css"]  # fmt: skip
FORMS = ["/console/canned", "/console/canned/1", "/console/canned/1/delete", "/console/lookup",
         "/console/lookup/pdf"]  # fmt: skip


async def audit_rows(app: App, action: str) -> list[AuditEntry]:
    async with app.conversations.sessions() as session:
        found = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return list(found)


@pytest.fixture
async def web(app: App):  # type: ignore[no-untyped-def]
    await add_account(app, "cw", "caseworker", "north")
    await add_account(app, "sup", "supervisor")
    await add_account(app, "adm", "admin", locale="en")
    return extras_web(app)


async def test_without_a_session_every_extras_route_refuses(app: App, web) -> None:
    async with client(app, web, None) as anonymous:
        for url in PAGES:
            response = await anonymous.get(url)
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/console/login"), url
        for url in FORMS:
            response = await anonymous.post(url, {"code": "HP-AAAA-AA", "title": "x"})
            assert response.status_code == 401, url


async def test_roles_caseworkers_read_canned_only_supervisors_see_figures_admins_the_log(
    app: App, web
) -> None:
    async with client(app, web, "cw") as cw:
        assert (await cw.get("/console/canned")).status_code == 200
        refused = await cw.post("/console/canned", {"lang": "vi", "title": "A", "body": "B"})
        assert refused.status_code == 403
        for url in ("/console/dashboard", "/console/dashboard.csv", "/console/audit"):
            assert (await cw.get(url)).status_code == 403, url
        assert (await cw.get("/console/lookup")).status_code == 200
    async with client(app, web, "sup") as sup:
        assert (await sup.get("/console/dashboard")).status_code == 200
        assert (await sup.get("/console/audit")).status_code == 403
    async with client(app, web, "adm") as adm:
        page = await adm.get("/console/audit")
        assert page.status_code == 200
        assert "Content-Security-Policy" in page.headers
        assert page.headers["Cache-Control"] == "no-store"
        # Nothing writes to the log from the console: no route takes a POST, PUT or DELETE.
        assert (await adm.post("/console/audit", {})).status_code == 405
        for method in ("PUT", "DELETE", "PATCH"):
            response = await adm.http.request(method, "/console/audit")
            assert response.status_code in (403, 405), method


async def test_supervisor_edits_canned_replies_caseworker_sees_them_changes_audited(
    app: App, web
) -> None:
    async with client(app, web, "sup") as sup:
        made = await sup.post(
            "/console/canned", {"lang": "vi", "title": "Chào", "body": "Chào bạn <b>!</b>"}
        )
        assert made.status_code == 303
        bad = await sup.post("/console/canned", {"lang": "vi", "title": "", "body": "x"})
        assert (bad.status_code == 400 and "console.canned.bad_title" in bad.text) or (
            bad.status_code == 400 and 'role="alert"' in bad.text
        )
        page = await sup.get("/console/canned")
        assert 'name="title" value="Chào"' in page.text
        assert "Chào bạn &lt;b&gt;!&lt;/b&gt;" in page.text
        reply_id = (await audit_rows(app, "canned.create"))[0].detail.split()[0].split("=")[1]
        changed = await sup.post(
            f"/console/canned/{reply_id}", {"lang": "en", "title": "Hi", "body": "Hello"}
        )
        assert changed.status_code == 303
    async with client(app, web, "cw") as cw:
        page = await cw.get("/console/canned")
        assert "<h3>Hi</h3>" in page.text and "Hello" in page.text
        assert f'action="/console/canned/{reply_id}"' not in page.text, "read-only for caseworkers"
        assert (await cw.post(f"/console/canned/{reply_id}/delete")).status_code == 403
    async with client(app, web, "adm") as adm:
        assert (await adm.post(f"/console/canned/{reply_id}/delete")).status_code == 303
        assert "<h3>Hi</h3>" not in (await adm.get("/console/canned")).text
    actions = [e.action for e in await audit_rows(app, "canned.update")]
    actions += [e.action for e in await audit_rows(app, "canned.delete")]
    assert actions == ["canned.update", "canned.delete"]
    for entry in await audit_rows(app, "canned.create"):
        assert "Chào" not in entry.detail, "the audit log keeps no text"


async def _declaration(app: App, chat: str, ref: str, share: bool | None) -> int:
    now = app.conversations.clock()
    async with app.conversations.sessions() as session, session.begin():
        contact = await Contacts(session).get_or_create("test", chat, None, now)
        answers = {"declarant": "self", "full_name": "Nguyễn Thị Thử", "return_how": "self",
                   "needs": ["shelter"]}  # fmt: skip
        await Declarations(session).add(
            contact.id, ref, "self_declaration", answers, "HP", now, month="2026-12"
        )
        if share is not None:
            await Consents(session).record(contact.id, "share_authorities", True, now)
        if share is False:  # granted, then withdrawn
            later = now + timedelta(minutes=5)
            await Consents(session).record(contact.id, "share_authorities", False, later)
        session.add(HandoffRequest(contact_id=contact.id, urgent=False, reason="menu",
                                   status="waiting", created_at=now))  # fmt: skip
        return contact.id


async def test_lookup_opens_only_shared_declarations_and_audits_every_outcome(
    app: App, web
) -> None:
    await _declaration(app, "shared", "HP-7KQ4-2M", share=True)
    await _declaration(app, "withdrawn", "HP-8XY3-4N", share=False)
    await _declaration(app, "never-asked", "HP-9ABC-5P", share=None)
    async with client(app, web, "cw") as cw:
        found = await cw.post("/console/lookup", {"code": " hp 7kq4 2m "})
        assert found.status_code == 200
        assert 'data-outcome="found"' in found.text
        assert "Nguyễn Thị Thử" in found.text
        assert 'action="/console/lookup/pdf"' in found.text
        pdf = await cw.post("/console/lookup/pdf", {"code": "HP-7KQ4-2M", "lang": "vi"})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert "HP-7KQ4-2M.pdf" in pdf.headers["content-disposition"]
        for code in ("HP-8XY3-4N", "HP-9ABC-5P"):
            private = await cw.post("/console/lookup", {"code": code})
            assert 'data-outcome="private"' in private.text, code
            assert "Nguyễn Thị Thử" not in private.text
            refused = await cw.post("/console/lookup/pdf", {"code": code})
            assert refused.headers["content-type"].startswith("text/html")
            assert b"%PDF" not in refused.content
        unknown = await cw.post("/console/lookup", {"code": "HP-2222-22"})
        assert 'data-outcome="unknown"' in unknown.text
        invalid = await cw.post("/console/lookup", {"code": "Nguyễn Thị Thử"})
        assert 'data-outcome="invalid"' in invalid.text
    looked = [e.detail.split()[0] for e in await audit_rows(app, "lookup")]
    assert looked == ["found", "private", "private", "unknown", "invalid"]
    pdfs = [e.detail.split()[0] for e in await audit_rows(app, "lookup.pdf")]
    assert pdfs == ["found", "private", "private"]
    for entry in [*await audit_rows(app, "lookup"), *await audit_rows(app, "lookup.pdf")]:
        assert "Nguyễn" not in entry.detail and "HP-" not in entry.detail
        assert entry.actor == "cw"
    found_entry = (await audit_rows(app, "lookup"))[0]
    assert found_entry.case_id is not None, "the lookup shows in the person's case history"
    assert "other_team" in found_entry.detail, "a north-team caseworker, a city-team person"


async def test_dashboard_hides_small_counts_in_tables_charts_and_csv(app: App, web) -> None:
    now = app.conversations.clock()
    async with app.conversations.sessions() as session, session.begin():
        for i in range(8):
            contact = await Contacts(session).get_or_create("test", f"p{i}", None, now)
            await Declarations(session).add(
                contact.id, f"HP-{i + 2}AAA-AA", "self_declaration", {}, "HP", now,
                ward_code="11311" if i < 6 else "11320", month="2026-12",
                return_mode="self" if i < 6 else "rescued", needs="shelter",
            )  # fmt: skip
    async with client(app, web, "sup") as sup:
        page = await sup.get("/console/dashboard")
        assert page.status_code == 200
        html = page.text
        # 2 would be 8 - 6: the 6 is hidden too, and then the total can show.
        assert '<td class="n">&lt;5</td>' in html and '<td class="n">—</td>' in html
        assert '<td class="n">2</td>' not in html and '<td class="n">6</td>' not in html
        assert 'data-figure="declarations">8<' in html
        assert html.count("<svg ") == 4 and "<script>" not in html.split("</head>", 1)[1]
        assert 'href="/console/extras.css"' in html
        css = await sup.get("/console/extras.css")
        assert css.status_code == 200 and "#chart-commune" in css.text
        export = await sup.get("/console/dashboard.csv")
        assert export.status_code == 200
        assert export.headers["content-type"].startswith("text/csv")
        lines = export.text.lstrip("\ufeff").splitlines()
        assert "return_mode,rescued," in "\n".join(lines) and any(
            line.startswith("return_mode,rescued,") and line.endswith(",<5,") for line in lines
        )
        assert any(line.startswith("return_mode,self,") and line.endswith(",—,") for line in lines)
        assert not any(line.endswith((",2,", ",6,")) for line in lines)
    exports = await audit_rows(app, "export")
    assert [(e.actor, e.detail) for e in exports] == [("sup", "dashboard.csv")]


def test_codes_are_read_as_typed_but_names_are_not_codes() -> None:
    from bot.web.console.lookup import normalise

    assert normalise("hp-7kq4-2m") == normalise(" HP 7KQ4 2M ") == "HP-7KQ4-2M"
    assert normalise("HP7KQ42M") == "HP-7KQ4-2M"
    assert normalise("Nguyễn Thị Thử") is None
    assert normalise("HP-7KQ4-2O") is None, "O is not in the codes' alphabet"


async def test_case_view_partial_lists_the_persons_language_replies_escaped(app: App) -> None:
    from bot.web.console.state import templates
    from db.canned import CannedReplies, canned_for

    now = app.conversations.clock()
    async with app.conversations.sessions() as session, session.begin():
        await CannedReplies(session).create("en", "Hi", "Hello <script>x</script>", None, now)
        await CannedReplies(session).create("vi", "Chào", "Chào bạn", None, now)
    async with app.conversations.sessions() as session:
        replies = await canned_for(session, "en")
    html = templates.get_template("console/_canned.html").render(
        canned=replies, canned_heading="Canned replies"
    )
    assert "<strong>Hi</strong>" in html and "Chào bạn" not in html
    assert "Hello &lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
