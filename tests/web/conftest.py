"""The real web app served by uvicorn on localhost, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from bot.app import App
from bot.web.app import create_web_app
from bot.web.public import QUICK_EXIT_URL
from tests.support import free_port, served

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BEFORE_URL = "https://example.org/before"
"""A page the person had open before ours; served locally like the quick-exit target."""
NEUTRAL_HTML = "<!doctype html><title>neutral</title><p>neutral page</p>"


@pytest.fixture
async def base_url(app: App) -> AsyncIterator[str]:
    """The app as `hotline serve` runs it, on a free port."""
    async with served(create_web_app(app), free_port()) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    """Debian's Chromium, headless; skipped where it is not installed."""
    if not HAVE_CHROMIUM:
        pytest.skip(f"{CHROMIUM} is missing: install it with `apt-get install chromium` (Debian)")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


class Offline:
    """Routes every request: ours go through, the neutral pages are answered locally, and
    anything else is refused, so nothing leaves the machine."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.refused: list[str] = []
        self.neutral: list[str] = []

    async def __call__(self, route, request) -> None:  # type: ignore[no-untyped-def]
        url = request.url
        if url.startswith(self.base_url + "/"):
            await route.continue_()
        elif url in (QUICK_EXIT_URL, BEFORE_URL):
            self.neutral.append(url)
            await route.fulfill(status=200, content_type="text/html", body=NEUTRAL_HTML)
        else:
            self.refused.append(url)
            await route.abort()


@pytest.fixture
def offline(base_url: str) -> Offline:
    return Offline(base_url)


async def open_page(browser, offline: Offline, **context_options):  # type: ignore[no-untyped-def]
    """A fresh context and page (phone-sized unless told), cut off from the network."""
    options = {"viewport": {"width": 390, "height": 844}, "service_workers": "block"}
    context = await browser.new_context(**(options | context_options))
    await context.route("**/*", offline)
    return context, await context.new_page()
