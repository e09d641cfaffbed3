"""The declaration as a first user meets it: worded for them, steady progress, sane dates."""

from __future__ import annotations

import re

from bench.declaration_messages import OPENING, WITH_MISTAKES, Count, act
from bot.app import App
from tests.bot.test_declaration_flow import consent_all, open_declaration
from tests.support import Transcript

PROGRESS = re.compile(r"^Phần (\d)/6: (.+)$", re.MULTILINE)


async def walk_to_review(chat: Transcript) -> list[str]:
    """Skip every question; the texts of all the questions asked on the way."""
    asked: list[str] = []
    await chat.skip_until(lambda c: asked.append(c.text) or "Xem lại bản khai" in c.text)
    return asked[:-1]


async def test_a_returnee_is_asked_about_herself(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    assert "Họ và tên của bạn là gì?" in chat.text
    asked = await walk_to_review(chat)
    assert len(asked) > 20
    assert not [q for q in asked if "người trở về" in q], "no question speaks of her as another"
    assert any("Bạn có đang mang thai không?" in q for q in asked)


async def test_a_relative_is_asked_about_the_returnee(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai giúp người thân")
    await chat.click("Cha hoặc mẹ")
    await chat.click("Có, đã đồng ý")
    assert "Họ và tên của người trở về là gì?" in chat.text
    assert "chính mình" not in chat.text
    asked = await walk_to_review(chat)
    assert any("Người trở về có đang mang thai không?" in q for q in asked)
    assert not [q for q in asked if "Bạn có đang mang thai" in q]


async def test_in_english_too(app: App) -> None:
    chat = Transcript(app, chat="en-self", lang_hint="en")
    await chat.command("/start")
    await chat.click("English")
    await chat.click(chat.labels[0])
    for _ in range(3):
        await chat.click("I agree")
    await chat.click("For myself")
    assert "What is your full name?" in chat.text
    asked = []
    while "Review your declaration" not in chat.text and len(asked) < 60:
        asked.append(chat.text)
        safe = "It's safe, go on"
        await chat.click(safe if safe in chat.labels else "Skip")
    assert len(asked) > 20 and any("Are you pregnant?" in q for q in asked)
    assert not [q for q in asked if "returnee" in q]


async def test_progress_names_the_section_and_never_jumps(app: App, transcript) -> None:
    """A relative adds questions, and a minor adds one: the progress line stays the same."""
    shown: dict[str, list[str]] = {}
    for who, born in (("Khai cho chính tôi", "1998"), ("Khai giúp người thân", "2012")):
        chat = transcript(chat=who)
        await open_declaration(chat)
        await consent_all(chat)
        await chat.click(who)
        await chat.skip_until(lambda c: "Phần 3/6" in c.text)
        await chat.click("Bỏ qua")  # the name
        await chat.click("Bỏ qua")  # other names
        await chat.click("Nữ")
        await chat.send(born)
        if born == "2012":
            assert "đại diện" in chat.text, "a question was added for a minor"
            await chat.click("Bỏ qua")
        asked = await walk_to_review(chat)
        shown[who] = [m.group(0) for q in asked for m in [PROGRESS.search(q)] if m]
        numbers = [int(line[5]) for line in shown[who]]
        assert numbers == sorted(numbers) and numbers[-1] == 6, shown[who]
    assert "Phần 4/6: Những gì đã xảy ra" in shown["Khai cho chính tôi"]
    assert set(shown["Khai cho chính tôi"]) == set(shown["Khai giúp người thân"])


async def to_the_return_date(chat: Transcript, taken: str) -> None:
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "An toàn, làm tiếp" in c.labels)
    await chat.click("An toàn, làm tiếp")
    await chat.send(taken)
    await chat.skip_until(lambda c: "về Việt Nam (hoặc về nhà)" in c.text)


async def test_a_return_before_the_departure_is_refused_with_both_dates(app: App, transcript):
    chat = transcript()
    await to_the_return_date(chat, "tháng 5/2019")
    await chat.send("3/2018")
    assert "Ngày trở về (tháng 3/2018) lại sớm hơn thời gian bị đưa đi (tháng 5/2019)" in (
        chat.text
    )
    assert "Bạn về Việt Nam (hoặc về nhà) vào khi nào?" in chat.text, "asked again"
    assert len(chat.replies) == 1, "the reason and the question again, in one message"
    await chat.send("2019")  # may be the same year: not a contradiction
    assert "Bạn đã về bằng cách nào?" in chat.text
    await chat.skip_until(lambda c: "Xem lại bản khai" in c.text)
    assert "Ngày trở về: 2019" in chat.text

    await chat.click("✏️ Phần 4")
    await chat.click("✏️ Thời gian bị đưa đi")
    await chat.send("2021")
    assert "Ngày trở về (2019) lại sớm hơn thời gian bị đưa đi (2021)" in chat.text
    await chat.click("Không nhớ")
    assert "Xem lại bản khai" in chat.text


async def test_a_departure_before_birth_is_refused(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "Bạn sinh ngày nào?" in c.text)
    await chat.send("15/03/1998")
    await chat.skip_until(lambda c: "An toàn, làm tiếp" in c.labels)
    await chat.click("An toàn, làm tiếp")
    await chat.send("1990")
    assert "Thời gian bị đưa đi (1990) lại sớm hơn ngày sinh (15/03/1998)" in chat.text


async def test_no_papers_and_a_paper_are_never_ticked_together(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "bạn có những giấy tờ gì" in c.text)
    await chat.click("Hộ chiếu")
    await chat.click("Giấy tờ trao trả")
    assert {"✓ Hộ chiếu", "✓ Giấy tờ trao trả"} <= set(chat.labels)
    await chat.click("Không có giấy tờ")
    ticked = [label for label in chat.labels if label.startswith("✓")]
    assert ticked == ["✓ Không có giấy tờ"]
    await chat.click("Căn cước, CMND")
    ticked = [label for label in chat.labels if label.startswith("✓")]
    assert ticked == ["✓ Căn cước, CMND"]
    assert [r.replaces for r in chat.replies] == [True], "a tick edits the question in place"
    await chat.click("Xong")
    await chat.skip_until(lambda c: "Xem lại bản khai" in c.text)
    assert "Giấy tờ đang có: Căn cước, CMND" in chat.text


async def test_the_birth_date_example_is_a_birth_date(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "Bạn sinh ngày nào?" in c.text)
    assert "15/03/1998" in chat.text and "2024" not in chat.text
    await chat.send("31/02/1998")
    assert "Chưa đọc được ngày này" in chat.text and "15/03/1998" in chat.text


async def test_an_emergency_comes_first_and_alone(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("cứu tôi với")
    assert "113" in chat.replies[0].text and chat.replies[0].buttons
    assert "Họ và tên" not in chat.replies[0].text
    assert len(chat.replies) == 2 and "vị trí số 1 trong hàng chờ" in chat.replies[1].text
    assert "Bạn có dùng tên khác" not in chat.text, "the words go to a caseworker, not the form"


async def test_each_answer_gets_one_message_and_each_tick_an_edit(app: App) -> None:
    """The walk of bench/declaration_messages.py with its typing slips, one action at a time."""
    chat = Transcript(app, chat="counted")
    opening = Count()
    for action in OPENING:
        await act(chat, action, opening)
    assert opening.messages == 2, "the greeting; then the introduction with the menu"
    for action in WITH_MISTAKES[:-1]:
        count = Count()
        await act(chat, action, count)
        expected = (0, 1) if action[0] == "tick" else (1, 0)
        assert (count.messages, count.edits) == expected, (action, chat.text[:200])
    submitted = Count()
    await act(chat, WITH_MISTAKES[-1], submitted)
    assert (submitted.messages, submitted.edits, submitted.documents) == (2, 0, 1)
