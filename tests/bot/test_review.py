"""The review page on a phone: a few buttons by part, and a typed question number to edit."""

from __future__ import annotations

import re

from bot.app import App
from tests.bot.test_declaration_flow import consent_all, open_declaration
from tests.support import Transcript


async def to_review(chat: Transcript) -> None:
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("Lê Thị Xem Lại")
    await chat.skip_until(lambda c: "Hoàn tất và lưu" in c.labels)


def number_of(chat: Transcript, label: str) -> int:
    """The number the review shows before a question."""
    found = re.search(rf"^(\d+)\. {re.escape(label)}:", chat.text, re.MULTILINE)
    assert found, chat.text
    return int(found.group(1))


async def test_the_review_has_one_edit_button_per_part(app: App, transcript) -> None:
    chat = transcript()
    await to_review(chat)
    assert chat.labels == [
        "✏️ Phần 1: Sự đồng ý",
        "✏️ Phần 2: Người khai",
        "✏️ Phần 3: Thông tin cá nhân",
        "✏️ Phần 4: Những gì đã xảy ra",
        "✏️ Phần 5: Việc trở về",
        "✏️ Phần 6: Sức khỏe, an toàn, nhu cầu",
        "Hoàn tất và lưu",
        "Menu chính",
    ]
    assert "PHẦN 3: THÔNG TIN CÁ NHÂN" in chat.text
    assert number_of(chat, "Lưu thông tin") == 1
    questions = len(re.findall(r"^\d+\. ", chat.text, re.MULTILINE))
    keys = [b.key for r in chat.replies for row in r.buttons for b in row]
    assert keys == [str(questions + n) for n in range(1, 9)], "buttons are numbered after them"


async def test_the_review_says_the_words_of_the_buttons_pressed(app: App, transcript) -> None:
    chat = transcript()
    await to_review(chat)
    assert "1. Lưu thông tin: Đồng ý" in chat.text
    await chat.send("1")
    assert "Câu trả lời hiện tại: Đồng ý" in chat.text


async def test_a_typed_question_number_opens_that_answer(app: App, transcript) -> None:
    chat = transcript()
    await to_review(chat)
    name = number_of(chat, "Họ và tên")
    await chat.send(str(name))
    assert "Câu trả lời hiện tại: Lê Thị Xem Lại" in chat.text
    await chat.send("Lê Thị Đã Sửa")
    assert "Xem lại bản khai" in chat.text, "after the edit, back to the review"
    assert f"{name}. Họ và tên: Lê Thị Đã Sửa" in chat.text


async def test_a_part_lists_its_questions_with_the_same_numbers(app: App, transcript) -> None:
    chat = transcript()
    await to_review(chat)
    name = number_of(chat, "Họ và tên")
    await chat.click("✏️ Phần 3")
    assert f"{name}. Họ và tên: Lê Thị Xem Lại" in chat.text
    assert "Sự đồng ý" not in chat.text, "only this part"
    edit = chat.button("✏️ Họ và tên")
    assert edit.key == str(name)
    await chat.click("Quay lại")
    assert "Hoàn tất và lưu" in chat.labels
    await chat.click("✏️ Phần 3")
    await chat.send("quay lại")
    assert "Hoàn tất và lưu" in chat.labels, "typing back works as well"
    await chat.click("✏️ Phần 3")
    await chat.click("✏️ Họ và tên")
    await chat.click("Quay lại")
    assert "Hoàn tất và lưu" in chat.labels, "back from an edit is the review"


async def test_a_wrong_number_on_the_review_shows_it_again(app: App, transcript) -> None:
    chat = transcript()
    await to_review(chat)
    await chat.send("99")
    assert "Chưa hiểu ý bạn" in chat.text and "Xem lại bản khai" in chat.text
    assert "Hoàn tất và lưu" in chat.labels, "nothing opened, nothing submitted"
