"""A turn's replies as few messages as possible, without losing what each one means."""

from __future__ import annotations

from dialogs.compose import compose
from dialogs.events import Button, Reply
from dialogs.screens import CHUNK

MENU = ((Button("Khai báo", "menu:declare"),),)
HELP = ((Button("Nói chuyện với cán bộ", "menu:talk"),),)


def test_text_runs_on_into_the_question_that_follows() -> None:
    said = [Reply("Địa chỉ này nay thuộc xã Thử."), Reply("Cách liên lạc?", MENU)]
    assert compose(said) == [Reply("Địa chỉ này nay thuộc xã Thử.\n\nCách liên lạc?", MENU)]


def test_buttons_stay_under_their_own_text() -> None:
    said = [Reply("Gọi 113 hoặc 111.", HELP), Reply("Câu tiếp theo?", MENU)]
    assert compose(said) == said, "nothing is joined after a message with buttons"


def test_an_emergency_that_came_first_stays_first_and_whole() -> None:
    emergency = Reply("Gọi 113 hoặc 111.", HELP)
    composed = compose([emergency, Reply("Đã hiểu."), Reply("Câu tiếp theo?", MENU)])
    assert composed[0] == emergency
    assert composed[1] == Reply("Đã hiểu.\n\nCâu tiếp theo?", MENU)


def test_no_join_after_a_message_that_carries_a_pdf() -> None:
    said = [Reply("Đã lưu: HP-TEST", sensitive=True, document="HP-TEST"), Reply("Menu", MENU)]
    assert compose(said) == said, "the PDF follows the message that names it, not the menu"


def test_a_document_on_the_second_reply_is_kept() -> None:
    composed = compose([Reply("Cảm ơn."), Reply("Mã: HP-TEST", document="HP-TEST")])
    assert composed == [Reply("Cảm ơn.\n\nMã: HP-TEST", document="HP-TEST")]


def test_protection_and_the_location_button_carry_over() -> None:
    composed = compose([Reply("Tóm tắt", sensitive=True), Reply("Ở đâu?", MENU, "Gửi vị trí")])
    assert composed == [Reply("Tóm tắt\n\nỞ đâu?", MENU, "Gửi vị trí", sensitive=True)]


def test_an_edit_in_place_is_never_joined() -> None:
    said = [Reply("Chưa đọc được."), Reply("Chọn nhiều ý", MENU, replaces=True)]
    assert compose(said) == said


def test_text_too_long_for_one_message_stays_apart() -> None:
    long = Reply("x" * (CHUNK - 5))
    assert compose([long, Reply("Menu", MENU)]) == [long, Reply("Menu", MENU)]
    fits = Reply("x" * (CHUNK - 6))
    assert compose([fits, Reply("Menu", MENU)])[0].text.endswith("\n\nMenu")
    assert len(compose([fits, Reply("Menu", MENU)])[0].text) == CHUNK
