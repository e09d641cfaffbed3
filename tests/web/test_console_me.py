"""/console/me: Telegram link code, unlink, on call, lead times, escalation minutes.

The form checks and the access rules are tested on their own, and the changes through
db.caseworker_links.
"""

from __future__ import annotations

import re

from bot.app import App
from db.accounts import Accounts
from tests.web.console_support import account, audit_rows, client, login, post_form

CODE = re.compile(r'id="link-code">(\d+)<')


def checked(html: str) -> set[int]:
    """The lead times the form shows checked."""
    return {int(m) for m in re.findall(r'name="lead" value="(\d+)" checked', html)}


async def test_page_shows_the_accounts_settings_and_only_supervisors_the_escalation(
    app: App,
) -> None:
    await account(app, "lan")
    await account(app, "sup", role="supervisor")
    async with client(app) as http:
        assert (await http.get("/console/me")).status_code == 303  # no session: the login
        await login(http, "lan")
        page = await http.get("/console/me")
        assert page.status_code == 200 and 'href="/console/me"' in page.text
        assert checked(page.text) == {1440, 60}  # the default lead times
        assert 'id="link-code"' not in page.text and "/console/me/unlink" not in page.text
        assert "escalation-minutes" not in page.text
        refused = await post_form(http, "/console/me", "/console/me/escalation", minutes="5")
        assert refused.status_code == 403
    async with client(app) as http:
        await login(http, "sup")
        assert "escalation-minutes" in (await http.get("/console/me")).text


async def test_bad_lead_times_and_escalation_minutes_are_refused_clearly(app: App) -> None:
    await account(app, "sup", role="supervisor")
    async with client(app) as http:
        await login(http, "sup")
        for values in ([], ["999"], ["1440", "abc"]):
            page = await http.get("/console/me")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            data = [("csrf_token", token.group(1)), *[("lead", v) for v in values]]
            answer = await http.post(
                "/console/me/leads",
                content="&".join(f"{k}={v}" for k, v in data),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert answer.status_code == 400 and 'role="alert"' in answer.text, values
            assert "console.me.error.leads" in answer.text or "ít nhất một" in answer.text
        for minutes in ("0", "1441", "mười", "-5"):
            answer = await post_form(http, "/console/me", "/console/me/escalation", minutes=minutes)
            assert answer.status_code == 400, minutes
            assert "console.me.error.escalation" in answer.text or "từ 1 đến 1440" in answer.text
    assert not [r for r in await audit_rows(app) if r[1] in ("lead_minutes.set", "escalation.set")]


async def test_link_code_is_shown_once_and_links_telegram_then_unlink(app: App) -> None:
    from db import caseworker_links

    lan = await account(app, "lan")
    async with client(app) as http:
        await login(http, "lan")
        page = await post_form(http, "/console/me", "/console/me/link")
        assert page.status_code == 200
        found = CODE.search(page.text)
        assert found is not None and len(found.group(1)) == 8
        code = found.group(1)
        assert f"/link {code}" in page.text
        assert code not in (await http.get("/console/me")).text  # shown on that answer only
        async with app.conversations.sessions() as session, session.begin():
            linked = await caseworker_links.link_telegram(
                session, code, "telegram", "555001", app.conversations.clock()
            )
        assert linked is not None and linked.id == lan.id
        page = await http.get("/console/me")
        assert "/console/me/unlink" in page.text
        assert (await post_form(http, "/console/me", "/console/me/unlink")).status_code == 303
    async with app.conversations.sessions() as session:
        account_row = await Accounts(session).get(lan.id)
        assert account_row is not None and account_row.telegram_key is None
    rows = [r for r in await audit_rows(app) if r[1].startswith("telegram.")]
    mine = [r[1] for r in rows if r[1] in ("telegram.code", "telegram.unlink")]
    assert mine == ["telegram.code", "telegram.unlink"]  # the link itself: db.caseworker_links
    assert all(code not in r[3] for r in rows)


async def test_on_call_lead_times_and_escalation_are_saved_and_audited(app: App) -> None:
    from db import caseworker_links

    sup = await account(app, "sup", role="supervisor")
    async with client(app) as http:
        await login(http, "sup")
        on = await post_form(http, "/console/me", "/console/me/on-call", on="1")
        assert on.status_code == 303
        page = await http.get("/console/me")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        saved = await http.post(
            "/console/me/leads",
            content=f"csrf_token={token.group(1)}&lead=10080&lead=180",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert saved.status_code == 303
        assert checked((await http.get("/console/me")).text) == {10080, 180}
        minutes = await post_form(http, "/console/me", "/console/me/escalation", minutes="15")
        assert minutes.status_code == 303
    async with app.conversations.sessions() as session:
        row = await Accounts(session).get(sup.id)
        assert row is not None and row.on_call is True
        assert await caseworker_links.escalation_minutes(session) == 15
    details = {r[1]: r[3] for r in await audit_rows(app)}
    assert details["on_call.set"] == "on=1"
    assert details["lead_minutes.set"] == "minutes=10080,180"
    assert details["escalation.set"] == "minutes=15"
