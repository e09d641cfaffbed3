"""What the web app answers besides the search: HEAD, unknown paths, no API description."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import App
from bot.web.app import create_web_app
from tests.support import free_port, served
from tests.web.conftest import Offline, open_page

BACK_PROMISE = "nút Quay lại không mở lại trang này"
NO_JS_HINT = "Trình duyệt đang tắt JavaScript"


async def request(method: str, url: str, **headers: str) -> tuple[int, str, str]:
    """Status, content type and body, without following redirects."""
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, headers=headers, allow_redirects=False) as response,
    ):
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def test_head_of_the_page_is_200(base_url: str) -> None:
    for path in ("/", "/en"):
        status, kind, body = await request("HEAD", base_url + path)
        assert (status, body) == (200, ""), path
        assert kind.startswith("text/html")


@pytest.mark.parametrize("path", ["/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_no_api_description_unless_turned_on(base_url: str, path: str) -> None:
    status, kind, body = await request("GET", base_url + path)
    assert status == 404 and kind.startswith("text/html")
    assert "webhooks" not in body


async def test_the_api_description_when_a_setting_turns_it_on(app: App) -> None:
    app.settings = app.settings.model_copy(update={"web_api_docs": True})
    async with served(create_web_app(app), free_port()) as url:
        status, _kind, body = await request("GET", url + "/openapi.json")
        assert status == 200 and '"/webhooks/telegram"' in body
        assert (await request("GET", url + "/docs"))[0] == 200


@pytest.mark.parametrize(
    ("path", "headers", "lang", "says"),
    [
        ("/no-such-page", {}, "vi", "Không có trang này"),
        ("/no-such-page", {"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"}, "en", "Page not found"),
        ("/no-such-page", {"Accept-Language": "fr-FR, vi;q=0.8, en;q=0.7"}, "vi", "Không có trang"),
        ("/no-such-page?lang=en", {"Accept-Language": "vi"}, "en", "Page not found"),
        ("/en/no-such-page", {}, "en", "Page not found"),
        ("/static/missing.js", {"Accept-Language": "en"}, "en", "Page not found"),
    ],
)
async def test_an_unknown_path_gets_a_page_in_its_language(
    base_url: str, path: str, headers: dict[str, str], lang: str, says: str
) -> None:
    status, kind, body = await request("GET", base_url + path, **headers)
    assert status == 404 and kind.startswith("text/html")
    assert f'<html lang="{lang}">' in body and says in body
    assert 'href="/en"' in body if lang == "en" else 'href="/"' in body
    assert "Traceback" not in body and '"detail"' not in body


async def test_other_errors_keep_their_status(base_url: str) -> None:
    status, _kind, _body = await request("DELETE", base_url + "/")
    assert status == 405


@pytest.mark.parametrize("javascript", [True, False])
async def test_the_back_promise_only_when_javascript_keeps_it(
    browser, base_url: str, offline: Offline, javascript: bool
) -> None:
    context, page = await open_page(browser, offline, java_script_enabled=javascript)
    await page.goto(base_url + "/")
    footer = page.locator("footer")
    assert (await footer.get_by_text(BACK_PROMISE).is_visible()) is javascript
    assert (await footer.get_by_text(NO_JS_HINT).is_visible()) is not javascript
    await context.close()
