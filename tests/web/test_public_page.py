"""The public page in a real browser (Debian's Chromium), and its answers to bad input over HTTP."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.services.directory.store import Entry
from bot.web.public import MAX_QUERY, QUICK_EXIT_URL
from dialogs.directory import PlaceView
from tests.web.conftest import ARTIFACTS, BEFORE_URL, Offline, open_page

KIEN_HAI = "Ủy ban nhân dân Xã Kiến Hải"
RENAMED = "Từ năm 2025, Xã Đại Hợp, Huyện Kiến Thụy nay thuộc Xã Kiến Hải."


async def search_by_name(page, text: str) -> None:  # type: ignore[no-untyped-def]
    await page.get_by_label("Tên xã, phường").fill(text)
    await page.get_by_role("button", name="Tìm", exact=True).click()
    await page.wait_for_load_state()


async def test_an_old_commune_name_without_marks_finds_the_new_communes_committee(
    browser, base_url: str, offline: Offline
) -> None:
    context, page = await open_page(browser, offline)
    await page.goto(base_url + "/")
    assert await page.locator("html").get_attribute("lang") == "vi"
    await search_by_name(page, "dai hop kien thuy")

    results = page.locator("section.results")
    first = results.locator("ol.places > li").first
    assert await first.locator("h3").inner_text() == "1. " + KIEN_HAI
    assert RENAMED in await results.locator(".renamed").inner_text()
    assert "trung tâm xã/phường, địa chỉ cần kiểm tra lại" in await first.inner_text()
    osm = first.get_by_role("link", name=re.compile("OpenStreetMap"))
    assert (await osm.get_attribute("href") or "").startswith(
        "https://www.openstreetmap.org/?mlat=20.71070&mlon=106.71400"
    )
    assert await results.locator("ol.places > li").count() == 5
    always = results.locator("ul.places > li")
    assert await always.count() == 1, "111 always comes last"
    assert await always.locator('a[href="tel:111"]').count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    await page.evaluate("window.scrollTo(0, 0)")  # the fixed quick exit is drawn where it sits
    await page.screenshot(path=str(ARTIFACTS / "public-results.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.screenshot(path=str(ARTIFACTS / "public-results-desktop.png"), full_page=True)

    await page.get_by_role("link", name="Xem thêm").click()
    await page.wait_for_load_state()
    assert await page.locator("ol.places").get_attribute("start") == "6"
    assert offline.refused == []
    await context.close()


@pytest.mark.parametrize("how", ["button", "escape"])
async def test_quick_exit_leaves_and_back_does_not_return(
    browser, base_url: str, offline: Offline, how: str
) -> None:
    context, page = await open_page(browser, offline)
    await page.goto(BEFORE_URL)
    await page.goto(base_url + "/")
    await search_by_name(page, "Kiến Hải")
    assert await page.get_by_text(KIEN_HAI).count() >= 1
    await page.locator("a.skip").focus()
    await page.keyboard.press("Enter")  # the skip link must not add a history entry either

    exit_button = page.get_by_role("link", name="Thoát nhanh")
    assert await exit_button.is_visible()
    async with page.expect_navigation(url=QUICK_EXIT_URL):
        if how == "button":
            await exit_button.click()
        else:
            await page.get_by_label("Tên xã, phường").focus()
            await page.keyboard.press("Escape")
    assert page.url == QUICK_EXIT_URL

    await page.go_back()
    assert page.url == BEFORE_URL, "Back goes to what was open before, never to the page"
    assert await page.get_by_text("neutral page").count() == 1
    assert offline.refused == []
    await context.close()


async def test_the_english_switch_and_the_hotlines(browser, base_url: str, offline) -> None:
    context, page = await open_page(browser, offline)
    await page.goto(base_url + "/?q=Ki%E1%BA%BFn+H%E1%BA%A3i")
    for number in ("111", "113", "115"):
        assert await page.locator(f'section.hotlines a[href="tel:{number}"]').count() == 1

    await page.get_by_role("link", name="English").click()
    await page.wait_for_load_state()
    assert page.url.startswith(base_url + "/en?q=")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.get_by_role("link", name="Quick exit").is_visible()
    assert await page.get_by_label("Commune or ward name").input_value() == "Kiến Hải"
    assert await page.get_by_label("Kind of help").count() == 1
    assert await page.get_by_role("heading", level=1).count() == 1
    assert await page.get_by_text("People's Committee of Kiến Hải Commune").count() == 1
    assert await page.locator('a[href="tel:111"]').count() >= 1

    await page.goto(base_url + "/?lang=en")
    assert await page.locator("html").get_attribute("lang") == "en"
    await context.close()


async def test_use_my_location_lists_the_nearest(browser, base_url: str, offline) -> None:
    context, page = await open_page(
        browser, offline, geolocation={"latitude": 20.7107, "longitude": 106.714},
        permissions=["geolocation"],
    )  # fmt: skip
    await page.goto(base_url + "/")
    await page.get_by_label("Loại hỗ trợ").select_option("report")
    await page.get_by_role("button", name="Dùng vị trí của tôi").first.click()
    await page.wait_for_url(re.compile(r"lat=20\.711&lon=106\.714&service=report"))  # ~100 m
    first = page.locator("ol.places > li").first
    assert KIEN_HAI in await first.inner_text()
    assert "cách 0,0 km" in await first.inner_text()
    await context.close()


async def test_without_javascript_the_search_still_works(
    browser, base_url: str, offline: Offline
) -> None:
    context, page = await open_page(browser, offline, java_script_enabled=False)
    await page.goto(base_url + "/en")
    assert await page.get_by_role("button", name="Use my location").count() == 0, (
        "needs JavaScript: hidden"
    )
    await page.get_by_label("Commune or ward name").fill("Dai Hop, Kien Thuy")
    await page.get_by_role("button", name="Search", exact=True).click()
    await page.wait_for_load_state()
    assert "/en?q=Dai+Hop%2C+Kien+Thuy" in page.url
    assert await page.get_by_text("People's Committee of Kiến Hải Commune").count() == 1
    assert await page.get_by_text("Since 2025, Xã Đại Hợp, Huyện Kiến Thụy belongs to").count()
    exit_link = page.get_by_role("link", name="Quick exit")
    assert await exit_link.get_attribute("href") == QUICK_EXIT_URL
    await context.close()


# Over plain HTTP, no browser: bad input is refused on the page, never a server error.


async def fetch(url: str) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, dict(response.headers), await response.text()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=" + "a" * (MAX_QUERY + 1), f"tối đa {MAX_QUERY} ký tự"),
        ("lat=abc&lon=106.7", "Vị trí không hợp lệ"),
        ("lat=91&lon=106.7", "Vị trí không hợp lệ"),
        ("lat=nan&lon=inf", "Vị trí không hợp lệ"),
        ("lat=20.7", "Vị trí không hợp lệ"),
        ("q=kien+hai&service=massage", "Loại hỗ trợ không có trong danh sách"),
        ("q=kien+hai&service=hotline", "Loại hỗ trợ không có trong danh sách"),
        ("q=kien+hai&page=-1", "Số trang không hợp lệ"),
        ("q=kien+hai&page=0", "Số trang không hợp lệ"),
        ("q=kien+hai&page=%D9%A3", "Số trang không hợp lệ"),
        ("q=kien+hai&page=99999999999999999999", "Số trang không hợp lệ"),
        ("ward=99999", "Không có xã, phường này"),
        ("ward=../etc", "Không có xã, phường này"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message(
    base_url: str, query: str, message: str
) -> None:
    status, headers, html = await fetch(f"{base_url}/?{query}")
    assert status == 400
    assert message in html
    assert 'role="alert"' in html
    assert headers["Cache-Control"] == "no-store"


async def test_pages_are_not_stored_and_send_no_referrer(base_url: str) -> None:
    for path in ("/", "/en", "/?q=dai+hop+kien+thuy", "/?lat=20.71&lon=106.71&service=legal"):
        status, headers, html = await fetch(base_url + path)
        assert status == 200, path
        assert headers["Cache-Control"] == "no-store"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'self'
        assert '<meta name="referrer" content="no-referrer">' in html
        # Only our own files are loaded: no third-party script, font or tracker.
        assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', html)
    status, headers, js = await fetch(base_url + "/static/public.js")
    assert status == 200 and "location.replace" in js


async def test_a_name_that_is_not_found_offers_the_hotlines(base_url: str) -> None:
    status, _headers, html = await fetch(base_url + "/en?q=zzzz+qqqq")
    assert status == 200
    assert "No commune or ward called “zzzz qqqq” was found." in html
    notice = html[html.index('class="notice"') :]
    assert 'href="tel:111"' in notice and 'href="tel:113"' in notice


async def test_an_ambiguous_name_lists_the_communes_as_links(base_url: str, app) -> None:
    wards = app.directory.resolve("hong phong")
    assert len(wards) > 1, "the test needs a name that several communes share"
    status, _headers, html = await fetch(base_url + "/?q=hong+phong")
    assert status == 200
    for ward in wards:
        assert f'href="/?q=hong+phong&amp;ward={ward.code}#results"' in html
        assert f"{ward.name} (trước đây: {ward.typed_as})" in html
    status, _headers, html = await fetch(f"{base_url}/?q=hong+phong&ward={wards[1].code}")
    assert status == 200 and "Ủy ban nhân dân " + wards[1].name in html
    assert f"Từ năm 2025, {wards[1].typed_as} nay thuộc {wards[1].name}." in html


async def test_only_verified_hotlines_at_the_top_and_dialable_country_codes(
    base_url: str, app
) -> None:
    unverified = PlaceView("hotline-thu", "Đường dây thử chưa xác minh", "Unverified test line",
                           ("hotline",), phones=("0225 000 000",))  # fmt: skip
    plus = PlaceView("thu-cong-dong", "Điểm hỗ trợ thử", "Test point", ("report",),
                     phones=("+84 225 000 0000",), lat=20.7107, lon=106.714)  # fmt: skip
    app.directory.load([*app.directory.entries, Entry(unverified, "", "hotline"),
                        Entry(plus, "11749", "place")])  # fmt: skip
    status, _headers, html = await fetch(base_url + "/?q=kien+hai")
    assert status == 200
    top = html[
        html.index('class="hotlines"') : html.index("</section>", html.index('class="hotlines"'))
    ]
    assert "tel:111" in top and "Đường dây thử chưa xác minh" not in top
    assert 'href="tel:+842250000000"' in html


def results_section(html: str) -> str:
    start = html.index('id="results"')
    return html[start : html.index("</section>", start)]


async def test_a_location_outside_the_area_gives_the_national_hotlines(base_url: str) -> None:
    status, _headers, html = await fetch(base_url + "/?lat=0&lon=0&service=psychological")
    assert status == 200
    results = results_section(html)
    assert "Vị trí bạn gửi ở ngoài Hải Phòng" in results
    assert 'href="tel:111"' in results and 'href="tel:113"' in results
    assert " km" not in results and "Ủy ban nhân dân" not in results
    status, _headers, html = await fetch(base_url + "/en?lat=51.5&lon=-0.1")
    assert "The location you sent is outside Hải Phòng" in results_section(html)


async def test_a_chosen_service_lists_only_places_offering_it(base_url: str) -> None:
    status, _headers, html = await fetch(base_url + "/?lat=20.86&lon=106.68&service=psychological")
    assert status == 200
    places = re.findall(r'<span class="number">\d+\.</span> ([^<]+)</h3>', results_section(html))
    assert sorted(places) == [
        "Hội Liên hiệp Phụ nữ thành phố Hải Phòng",
        "Trung tâm Công tác xã hội thành phố Hải Phòng",
    ]


async def test_a_service_nobody_near_offers_says_so_then_the_committees(base_url: str) -> None:
    status, _headers, html = await fetch(base_url + "/en?q=kien+hai&service=medical")
    assert status == 200
    results = results_section(html)
    notice = "No place nearby in this directory offers “Medical care”."
    assert notice in results
    first = "Committee of Kiến Hải Commune"
    assert results.index(notice) < results.index(first)
