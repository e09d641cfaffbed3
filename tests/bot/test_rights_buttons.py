"""A rights page that says "press “Talk to a caseworker”" shows that button."""

from __future__ import annotations

import re

import pytest

from bot.app import App
from dialogs.rights import OFFERS


@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_every_button_a_page_names_is_on_that_page(app: App, transcript, lang) -> None:
    t = app.content.catalogs.translator(lang)
    buttons = {t(label) for label, _ in OFFERS.values()}
    chat = transcript(lang_hint=lang)
    await chat.command("/start")
    await chat.press(f"lang:{lang}")
    checked = 0
    for topic in app.content.rights.topics.values():
        await chat.press("nav:menu")
        await chat.press("menu:rights")
        if topic.parent:
            await chat.press(f"rt:{topic.parent}")
        await chat.press(f"rt:{topic.id}")
        named = set(re.findall(r"“([^”]+)”", chat.text)) & buttons
        for label in named:
            assert label in chat.labels, f"{topic.id}: says press “{label}”, shows {chat.labels}"
            checked += 1
    assert checked >= 3


async def test_talk_on_the_psychology_page_reaches_a_caseworker(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.click("Quyền lợi và thủ tục")
    await chat.press("rt:support")
    await chat.press("rt:psych")
    await chat.click("Nói chuyện với cán bộ")
    assert "Một người thật sẽ đọc và trả lời bạn" in chat.text


async def test_the_health_page_that_says_tell_a_caseworker_offers_one(app: App, transcript):
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.click("Quyền lợi và thủ tục")
    await chat.press("rt:support")
    await chat.press("rt:health")
    assert "cán bộ" in chat.text and "Nói chuyện với cán bộ" in chat.labels
