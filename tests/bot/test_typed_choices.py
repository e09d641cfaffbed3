"""Typing instead of pressing: numbers that keep their meaning, several at once, coordinates."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.app import App
from db.models import HandoffRequest
from dialogs.typed import coordinates
from tests.bot.test_declaration_flow import consent_all, open_declaration
from tests.support import Transcript


def keys(chat: Transcript) -> dict[str, str]:
    """Each shown button's label by the key a person would type for it."""
    return {b.key: b.label for r in chat.replies for row in r.buttons for b in row if b.key}


async def to_needs(chat: Transcript) -> None:
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "đang cần hỗ trợ gì" in c.text)


async def handoffs(app: App) -> int:
    async with app.conversations.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(HandoffRequest)) or 0)


async def test_numbers_follow_the_screen_in_reading_order(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    assert keys(chat) == {"1": "Tiếng Việt", "2": "English"}
    await chat.send("1")
    assert keys(chat)["1"] == "Khai báo" and keys(chat)["4"] == "Nói chuyện với cán bộ"
    await chat.send("3")
    assert keys(chat)["1"] == chat.labels[0], "the rights guide, numbered from its first topic"
    assert keys(chat)[str(len(keys(chat)))] == "Menu chính", "the last number is the last button"


async def test_a_tick_and_an_alert_never_renumber_the_options(app: App, transcript) -> None:
    chat = transcript()
    await to_needs(chat)
    before = keys(chat)
    assert before["4"] == "Hỗ trợ tâm lý" and before["5"] == "Tư vấn pháp lý"
    await chat.send("cứu tôi với")
    assert "113" in chat.text
    emergency = chat.replies[0]
    assert [b.key for row in emergency.buttons for b in row] == ["0"], "talk is 0, off the count"
    await chat.send("menu")  # the words went to a caseworker; back to the declaration
    await chat.send("co")
    await chat.click("Khai báo")
    await chat.click("Làm tiếp")
    assert keys(chat) == before
    await chat.send("1")
    assert "✓ Chỗ ở" in chat.labels
    await chat.send("4")
    assert "✓ Hỗ trợ tâm lý" in chat.labels and "✓ Tư vấn pháp lý" not in chat.labels
    after = {k: v.removeprefix("✓ ") for k, v in keys(chat).items()}
    assert after == before, "ticking changes labels, never numbers"


@pytest.mark.parametrize("typed", ["3, 7", "3 7", "3,7", "3;7"])
async def test_several_numbers_tick_several_options_at_once(app: App, transcript, typed) -> None:
    chat = transcript()
    await to_needs(chat)
    await chat.send(typed)
    assert "✓ Khám chữa bệnh" in chat.labels and "✓ Học văn hóa, học nghề" in chat.labels
    assert len([r for r in chat.replies if r.buttons]) == 1, "the question is shown once"
    assert "Không có lựa chọn" not in chat.text
    await chat.send("3 7")
    assert "✓ Khám chữa bệnh" in chat.labels, "typed again, they stay ticked"


async def test_numbers_and_done_in_one_message_answer_the_question(app: App, transcript) -> None:
    chat = transcript()
    await to_needs(chat)
    done = next(k for k, v in keys(chat).items() if v == "Xong")
    await chat.send(f"1, 2, {done}")
    assert "đang cần hỗ trợ gì" not in chat.text, "the next question follows"
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: Chỗ ở, Ăn uống" in chat.text


async def test_out_of_range_and_mixed_numbers_get_a_clear_answer(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.send("1")
    await chat.send("42")
    assert "Chưa hiểu ý bạn" in chat.text, "a number no button has is text, as on Telegram"
    assert "Nói chuyện với cán bộ" in chat.labels, "and the menu again"
    await chat.send("1 2")
    assert "chỉ chọn được một mục" in chat.text
    chat2 = transcript(chat="other")
    await to_needs(chat2)
    back = next(k for k, v in keys(chat2).items() if v == "Quay lại")
    await chat2.send(f"1 {back}")
    assert "Gõ nhiều số cùng lúc là để chọn nhiều ý" in chat2.text
    assert "✓ Chỗ ở" not in chat2.labels, "nothing is half done"


async def test_on_a_typed_question_every_number_is_the_answer(app: App, transcript):
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    assert "Họ và tên của bạn là gì?" in chat.text
    assert keys(chat) == {}, "no numbers beside buttons where a number is an answer"
    await chat.send("0")
    assert await handoffs(app) == 0, "0 is the answer here, not a caseworker"
    await chat.skip_until(lambda c: "Không nhớ" in c.labels and "sinh" in c.text)
    await chat.send("1995")
    assert "Giới tính" not in chat.text and "dân tộc" in chat.text.lower()
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: 1995" in chat.text
    await chat.send("không nhớ")
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: Không nhớ" in chat.text, "a button is pressed by its words"
    await chat.skip_until(lambda c: "Bạn đã ở đó bao lâu?" in c.text)
    await chat.send("3")
    assert "Bạn đã ở đó bao lâu?" not in chat.text and "Menu chính" not in chat.text[:40]
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: 3" in chat.text, "3 is how long, not the third button"


async def test_no_papers_cannot_be_typed_together_with_a_paper(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "có những giấy tờ gì" in c.text)
    none = next(k for k, v in keys(chat).items() if v == "Không có giấy tờ")
    await chat.send(f"1, {none}")
    assert "“Không có giấy tờ” không chọn cùng với lựa chọn khác được" in chat.text
    assert not [label for label in chat.labels if label.startswith("✓")], "nothing ticked"
    await chat.send(none)
    await chat.send("1 2")
    ticked = [label for label in chat.labels if label.startswith("✓")]
    assert len(ticked) == 2 and "✓ Không có giấy tờ" not in ticked, "a paper clears it"


async def test_zero_asks_for_a_caseworker_from_anywhere(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.send("1")
    await chat.send("0")
    assert "vị trí số 1 trong hàng chờ" in chat.text
    assert await handoffs(app) == 1


async def test_typed_coordinates_search_near_them(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.click("Tìm nơi hỗ trợ")
    await chat.send("20,86; 106,68")
    assert "Nơi hỗ trợ gần bạn nhất" in chat.text
    assert " km" in chat.text


async def test_typed_coordinates_answer_the_address_question(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: bool(c.replies and c.replies[-1].request_location))
    await chat.send("20.71 106.71")
    await chat.click("Quay lại")
    assert "20.71000" in chat.text and "106.71000" in chat.text


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("20.71, 106.71", (20.71, 106.71)),
        ("20.71 106.71", (20.71, 106.71)),
        ("20.71,106.71", (20.71, 106.71)),
        ("20,71; 106,71", (20.71, 106.71)),
        ("20,71, 106,71", (20.71, 106.71)),
        ("20,71 106,71", (20.71, 106.71)),
        ("-33.9 151.2", (-33.9, 151.2)),
        ("20,71,106,71", None),
        ("95.1, 106.7", None),
        ("20.7, 190.5", None),
        ("20 106", None),
        ("12 Lê Lợi", None),
        ("1, 4", None),
    ],
)
def test_coordinates_are_read_carefully(text: str, point: tuple[float, float] | None) -> None:
    assert coordinates(text) == point


async def test_result_numbers_are_places_and_buttons_come_after(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.click("Tìm nơi hỗ trợ")
    await chat.send("20.86, 106.68")
    assert "5. " in chat.text and "6. " not in chat.text
    assert keys(chat)["6"] == "Xem thêm" and "1" not in keys(chat)
    await chat.send("6")
    assert "6. " in chat.text and keys(chat)["11"] == "Xem thêm"


async def test_a_number_typed_days_later_asks_where_to_go_on(app: App, transcript, clock) -> None:
    chat = transcript()
    await open_declaration(chat)
    clock.advance(days=3)
    await chat.send("1")
    assert "Làm tiếp" in chat.labels, "not taken as “I agree”: it may be someone else"
    await chat.send("1")
    assert "Đồng ý" in chat.labels and "Làm tiếp" not in chat.labels
