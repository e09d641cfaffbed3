"""The console over HTTP against a real SQLite app: sign-in, inbox, case, actions, refusals."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.web.app import create_web_app
from bot.web.public import HEADERS
from db.models import HandoffRequest, Media, Message, OutboxItem
from db.repositories import Declarations
from tests.support import FakeClock
from tests.web.console_support import (
    PASSWORD,
    account,
    audit_rows,
    client,
    login,
    post_form,
    token,
    urgent_case,
)


def console_routes(app: App) -> list[tuple[str, str]]:
    """Every console route (method, a concrete path) the web app serves."""
    found, routes = [], list(create_web_app(app).routes)
    while routes:
        route = routes.pop(0)
        if hasattr(route, "original_router"):  # FastAPI's wrapper of an included router
            routes += route.original_router.routes
            continue
        path = getattr(route, "path", "")
        if not path.startswith("/console") or path == "/console/login":
            continue
        concrete = (
            path.replace("{case_id}", "1").replace("{media_id}", "1").replace("{appt_id}", "1")
            .replace("{action}", "claim").replace("{ref}", "HP-ABCD-EF")
        )  # fmt: skip
        found += [(method, concrete) for method in sorted(getattr(route, "methods", []))]
    return found


async def test_every_console_route_refuses_without_a_session(app: App) -> None:
    await urgent_case(app)
    routes = console_routes(app)
    assert ("GET", "/console") in routes and ("GET", "/console/live") in routes
    assert ("GET", "/console/media/1") in routes and ("POST", "/console/cases/1/claim") in routes
    assert ("POST", "/console/appointments/1/cancel") in routes
    assert ("POST", "/console/me/on-call") in routes
    async with client(app) as http:
        page = await http.get("/console/login")
        for method, path in routes:
            data = {"csrf_token": token(page.text)} if method == "POST" else None
            answer = await http.request(method, path, data=data)
            if path == "/console/logout":  # nothing to forget: back to the login
                assert answer.headers["location"] == "/console/login"
            elif method == "GET" and not path.startswith(("/console/live", "/console/media")):
                assert answer.status_code == 303, path
                assert answer.headers["location"].startswith("/console/login?next=/console")
            else:
                assert answer.status_code == 401, (method, path)
            assert "logout" not in answer.text
            for name, value in HEADERS.items():
                assert answer.headers[name] == value, (path, name)
    async with app.conversations.sessions() as session:
        case = await session.scalar(select(HandoffRequest))
    assert case is not None and case.assignee_id is None  # the claim did nothing


async def test_login_sets_a_strict_session_cookie_and_logout_forgets_it(app: App) -> None:
    await account(app, "lan")
    async with client(app, "https://console.example") as http:
        wrong = await login(http, "lan", "not the password")
        assert wrong.status_code == 401 and "không đúng" in wrong.text
        signed = await login(http, "lan")
        assert signed.status_code == 303 and signed.headers["location"] == "/console"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
        inbox = await http.get("/console")
        assert inbox.status_code == 200 and "lan" in inbox.text
        assert inbox.headers["cache-control"] == "no-store"
        out = await http.post("/console/logout", data={"csrf_token": token(inbox.text)})
        assert out.status_code == 303
        assert (await http.get("/console")).status_code == 303
    assert [row[1] for row in await audit_rows(app)] == ["login_failed", "login", "logout"]


async def test_forms_without_the_csrf_token_are_refused(app: App) -> None:
    await account(app, "lan")
    async with client(app) as http:
        await http.get("/console/login")
        refused = await http.post("/console/login", data={"username": "lan", "password": PASSWORD})
        assert refused.status_code == 403
        assert (await login(http, "lan")).status_code == 303
        forged = await http.post("/console/logout", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        assert (await http.get("/console")).status_code == 200  # still signed in


async def test_logins_are_limited_per_account(app: App) -> None:
    await account(app, "lan")
    async with client(app) as http:
        for _ in range(5):
            assert (await login(http, "lan", "guess")).status_code == 401
        limited = await login(http, "lan")  # the right password, too late
        assert limited.status_code == 429 and "Quá nhiều" in limited.text
    assert (await audit_rows(app))[-1][1] == "login_limited"


async def test_inbox_lists_a_conversation_case_with_its_waiting_time(
    app: App, clock: FakeClock
) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    async with client(app) as http:
        await login(http, "lan")
        clock.advance(minutes=5)
        page = await http.get("/console")
        assert f'href="/console/cases/{case.id}"' in page.text
        assert "Khẩn cấp" in page.text and "5 phút" in page.text and "Quá hạn" not in page.text
        clock.advance(minutes=20)
        page = await http.get("/console?view=unassigned")
        assert f'href="/console/cases/{case.id}"' in page.text and "Quá hạn" in page.text
        assert f"/console/cases/{case.id}" not in (await http.get("/console?view=mine")).text


async def test_a_case_of_another_team_is_refused_even_by_url_and_audited(app: App) -> None:
    _person, case = await urgent_case(app)
    await account(app, "minh", team="north")
    async with client(app) as http:
        await login(http, "minh")
        assert f"/console/cases/{case.id}" not in (await http.get("/console")).text
        page = await http.get(f"/console/cases/{case.id}")
        assert page.status_code == 404 and "cứu tôi" not in page.text
        assert (await http.get(f"/console/live?case={case.id}")).status_code == 404
        claim = await post_form(http, "/console", f"/console/cases/{case.id}/claim", nonce="n" * 20)
        assert claim.status_code == 404
    refused = [row for row in await audit_rows(app) if row[1] == "case_refused"]
    assert [(r[0], r[2]) for r in refused] == [("minh", case.id)] * 3
    async with app.conversations.sessions() as session:
        row = await session.get(HandoffRequest, case.id)
    assert row is not None and row.assignee_id is None


async def test_claim_shows_the_code_and_the_reply_goes_through_the_desk(app: App) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    url = f"/console/cases/{case.id}"
    async with client(app) as http:
        await login(http, "lan")
        page = await http.get(url)
        assert "cứu tôi với" in page.text and '<label for="reply">Trả lời</label>' in page.text
        claimed = await post_form(http, url, f"{url}/claim")
        assert claimed.status_code == 303
        async with app.conversations.sessions() as session:
            row = await session.get(HandoffRequest, case.id)
        assert row is not None and row.verify_code
        page = await http.get(url)
        assert f'id="verify-code">{row.verify_code}<' in page.text
        sent = await post_form(http, url, f"{url}/reply", body="Chào bạn, tôi là Lan.")
        assert sent.status_code == 303
        page = await http.get(url)
        assert "Chào bạn, tôi là Lan." in page.text and "Cán bộ lan" in page.text
    async with app.conversations.sessions() as session:
        out = (await session.scalars(select(Message).where(Message.direction == "out"))).all()
        items = (await session.scalars(select(OutboxItem))).all()
    replies = [m for m in out if m.author_id is not None]
    assert [m.body for m in replies] == ["Chào bạn, tôi là Lan."]
    assert any(i.id == replies[0].outbox_id for i in items)
    assert [r[1] for r in await audit_rows(app) if r[2] == case.id][:3] == [
        "case_view", "case_view", "case.claim",
    ]  # fmt: skip


async def test_a_refused_action_says_why(app: App) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    url = f"/console/cases/{case.id}"
    async with client(app) as http:
        await login(http, "lan")
        refused = await post_form(http, url, f"{url}/reply", body="xin chào")
        assert refused.status_code == 409 and "Nhận xử lý" in refused.text


async def test_person_text_is_escaped_everywhere(app: App) -> None:
    person, case = await urgent_case(app)
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    await person.send(payload)
    await account(app, "lan")
    async with client(app) as http:
        await login(http, "lan")
        page = (await http.get(f"/console/cases/{case.id}")).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_media_is_served_to_the_team_with_its_type_and_refused_to_others(app: App) -> None:
    person, case = await urgent_case(app)
    async with app.conversations.sessions() as session, session.begin():
        media = Media(contact_id=person.contact_id, kind="voice", mime="audio/ogg", size=4,
                      data=b"OggS", created_at=app.conversations.clock())  # fmt: skip
        session.add(media)
        await session.flush()
        session.add(Message(contact_id=person.contact_id, direction="in", body="", kind="voice",
                            media_id=media.id, case_id=case.id,
                            created_at=app.conversations.clock()))  # fmt: skip
        html_file = Media(contact_id=person.contact_id, kind="file", mime="text/html", size=9,
                          data=b"<script>", created_at=app.conversations.clock())  # fmt: skip
        session.add(html_file)
        await session.flush()
        session.add(Message(contact_id=person.contact_id, direction="in", body="", kind="file",
                            media_id=html_file.id, case_id=case.id,
                            created_at=app.conversations.clock()))  # fmt: skip
    await account(app, "lan")
    await account(app, "minh", team="north")
    async with client(app) as http:
        await login(http, "lan")
        page = (await http.get(f"/console/cases/{case.id}")).text
        assert f'<source src="/console/media/{media.id}" type="audio/ogg">' in page
        voice = await http.get(f"/console/media/{media.id}")
        assert voice.status_code == 200 and voice.content == b"OggS"
        assert voice.headers["content-type"] == "audio/ogg"
        download = await http.get(f"/console/media/{html_file.id}")
        assert download.headers["content-type"] == "application/octet-stream"
        assert download.headers["content-disposition"].startswith("attachment")
    async with client(app) as http:
        await login(http, "minh")
        assert (await http.get(f"/console/media/{media.id}")).status_code == 404
    assert ("minh", "media_refused", None, str(media.id)) in await audit_rows(app)


async def test_english_accounts_read_english(app: App) -> None:
    _person, case = await urgent_case(app)
    await account(app, "anna", locale="en")
    async with client(app) as http:
        await login(http, "anna")
        page = await http.get(f"/console/cases/{case.id}")
    assert '<label for="reply">Reply</label>' in page.text and 'lang="en"' in page.text


async def test_logins_are_limited_per_address_and_only_failures_count(app: App) -> None:
    await account(app, "lan")
    async with client(app) as http:
        for _ in range(6):  # a caseworker who signs in and out often is never locked out
            assert (await login(http, "lan")).status_code == 303
            page = await http.get("/console")
            await http.post("/console/logout", data={"csrf_token": token(page.text)})
        for number in range(30):  # one address guessing many names
            assert (await login(http, f"guess{number}", "guess")).status_code == 401
        assert (await login(http, "lan")).status_code == 429


async def test_a_transfer_carries_the_history_and_the_next_caseworker_closes(app: App) -> None:
    _person, case = await urgent_case(app)
    await account(app, "lan")
    hoa = await account(app, "hoa", team="kien-an")
    url = f"/console/cases/{case.id}"
    async with client(app) as http:
        await login(http, "lan")
        await post_form(http, url, f"{url}/claim")
        moved = await post_form(
            http, url, f"{url}/transfer", to_caseworker=str(hoa.id), note="Chị ấy ở Kiến An"
        )
        assert moved.status_code == 303
        assert (await http.get(url)).status_code == 404  # another team's case now
    async with client(app) as http:
        await login(http, "hoa")
        assert f'href="{url}"' in (await http.get("/console?view=mine")).text
        page = await http.get(url)
        assert "cứu tôi với" in page.text and "Chị ấy ở Kiến An" in page.text
        await post_form(http, url, f"{url}/claim")
        closed = await post_form(http, url, f"{url}/close", outcome="referred")
        assert closed.status_code == 303
        assert f'href="{url}"' in (await http.get("/console?view=closed")).text
        assert "Mở lại" in (await http.get(url)).text
    async with app.conversations.sessions() as session:
        row = await session.get(HandoffRequest, case.id)
    assert row is not None and (row.status, row.outcome, row.team) == (
        "closed", "referred", "kien-an",
    )  # fmt: skip


async def test_the_persons_declaration_opens_as_a_pdf_and_the_view_is_audited(app: App) -> None:
    person, case = await urgent_case(app)
    async with app.conversations.sessions() as session, session.begin():
        await Declarations(session).add(
            person.contact_id, "HP-ABCD-EF", "self_declaration", {}, "HP",
            app.conversations.clock(),
        )  # fmt: skip
    await account(app, "lan")
    await account(app, "minh", team="north")
    pdf = f"/console/cases/{case.id}/declarations/HP-ABCD-EF.pdf?lang=vi"
    async with client(app) as http:
        await login(http, "lan")
        page = await http.get(f"/console/cases/{case.id}")
        assert "HP-ABCD-EF" in page.text and f'href="{pdf}"' in page.text
        answer = await http.get(pdf)
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
        assert answer.headers["content-type"] == "application/pdf"
    async with client(app) as http:
        await login(http, "minh")
        assert (await http.get(pdf)).status_code == 404
    rows = await audit_rows(app)
    assert ("lan", "declaration_view", case.id, "HP-ABCD-EF") in rows
    assert ("minh", "case_refused", case.id, "declaration_pdf") in rows


async def test_a_supervisor_sees_all_and_assigns_a_caseworker_sees_no_assign_form(
    app: App,
) -> None:
    _person, case = await urgent_case(app)
    lan = await account(app, "lan", team="north")
    await account(app, "sup", role="supervisor", team="north")
    url = f"/console/cases/{case.id}"
    async with client(app) as http:
        await login(http, "sup")
        assert f'href="{url}"' in (await http.get("/console?view=all")).text
        assigned = await post_form(http, url, f"{url}/assign", assignee=str(lan.id))
        assert assigned.status_code == 303
    async with client(app) as http:
        await login(http, "lan")
        page = await http.get("/console?view=all")  # not for caseworkers: their team's instead
        assert "Tất cả" not in page.text.split("<main", 1)[1].split("</h1>")[0]
        assert f'href="{url}"' in (await http.get("/console?view=mine")).text
        case_page = await http.get(url)
        assert case_page.status_code == 200 and f"{url}/assign" not in case_page.text
