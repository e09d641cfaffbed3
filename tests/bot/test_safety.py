"""Danger words, erase, stale buttons and bad input: safety before features."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sqlalchemy import func, select, text

from bot.app import App
from db.models import Consent, Contact, ConversationState, Declaration, HandoffRequest, Message
from db.repositories import Consents
from tests.bot.test_declaration_flow import consent_all, open_declaration, submit
from tests.support import Transcript

UNIQUE = "Zyxwvu Mẫu Riêng Biệt 4417"


async def count(app: App, model: type) -> int:
    async with app.conversations.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_danger_word_shows_emergency_numbers_and_marks_urgent(app: App, transcript) -> None:
    chat = transcript()
    await chat.send("cuu toi voi, toi bi nhot")
    assert "113" in chat.text and "111" in chat.text
    assert "Tiếng Việt" in chat.labels, "the conversation still goes on"
    async with app.conversations.sessions() as session:
        contact = await session.scalar(select(Contact))
        request = await session.scalar(select(HandoffRequest))
    assert contact is not None and contact.urgent
    assert request is not None and request.urgent and request.reason == "danger"


async def test_danger_word_mid_declaration_keeps_the_answer(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("Họ đang đe dọa tôi")
    assert "113" in chat.text
    assert await count(app, HandoffRequest) == 1
    await chat.send("họ vẫn đánh đập")
    assert await count(app, HandoffRequest) == 1, "one request, not one per message"


async def test_harmless_words_do_not_alarm(app: App, transcript) -> None:
    chat = transcript()
    await chat.send("Tôi làm nghiên cứu về cứu trợ")
    assert "113" not in chat.text
    assert await count(app, HandoffRequest) == 0


async def test_erase_removes_everything_even_from_the_file(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send(UNIQUE)
    await chat.skip_until(lambda c: "Hoàn tất và lưu" in c.labels)
    ref = await submit(chat)
    pdf = app.conversations.files.write(ref, b"%PDF-1.4 test copy")
    async with app.conversations.sessions() as session:
        token = await session.scalar(text("SELECT answers FROM declarations"))
    assert token and UNIQUE not in token, "answers are encrypted at rest"

    await chat.send("xóa")
    assert "Có, xóa hết" in chat.labels
    await chat.click("Có, xóa hết")
    assert "Đã xóa" in chat.text
    assert "bấm và giữ" in chat.text, "how to delete their own side of the chat"
    for model in (Contact, ConversationState, Declaration, Consent, Message):
        assert await count(app, model) == 0, model.__name__
    assert not pdf.exists()

    if app.db.dialect.name == "sqlite":
        files = [Path(app.db.url.database or "")]
        files += [f.with_name(f.name + "-wal") for f in files]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        assert token.encode() not in raw, "the ciphertext is gone from the file"

    await chat.send("xin chào")
    assert "Tiếng Việt" in chat.labels, "a new conversation starts from the greeting"


async def test_erase_anonymises_a_caseworker_request(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.click("Nói chuyện với cán bộ")
    assert "Một người thật sẽ đọc và trả lời bạn" in chat.text
    await chat.send("Tôi muốn hỏi về giấy tờ, tên tôi là Hà Thử Riêng")
    assert await count(app, Message) == 1, "kept while a caseworker is to read it"
    await chat.command("/erase")
    await chat.click("Có, xóa hết")
    assert "Chỉ còn một ghi nhận không tên" in chat.text
    assert len(chat.replies) == 1, "one short neutral message is all that stays in the chat"
    assert "cán bộ" not in chat.text
    async with app.conversations.sessions() as session:
        request = await session.scalar(select(HandoffRequest))
    assert request is not None and request.contact_id is None and request.anonymised_at
    assert await count(app, Message) == 0
    assert await count(app, Contact) == 0


async def test_erase_can_be_cancelled(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await chat.click("Menu chính")
    await chat.click("Xóa dữ liệu")
    await chat.click("Không, giữ lại")
    assert "Không có gì bị xóa" in chat.text
    assert await count(app, Contact) == 1


async def test_stale_button_gets_a_polite_answer_and_the_current_question(app: App, transcript):
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.press("edit:full_name")
    assert "tin nhắn cũ" in chat.text
    assert "Khai cho chính tôi" in chat.labels
    await chat.press("opt:" + "x" * 80)
    assert "Khai cho chính tôi" in chat.labels


async def test_long_text_is_refused_and_asked_again(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("a" * 201)
    assert "200" in chat.text
    assert "Họ và tên của bạn là gì?" in chat.text
    await chat.send("Ngô Thị Vừa Đủ")
    assert "Bạn có dùng tên khác" in chat.text


async def test_nfd_input_is_stored_as_nfc(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send(unicodedata.normalize("NFD", "Nguyễn Thị Ánh"))
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: Nguyễn Thị Ánh" in chat.text


async def test_unknown_command_gets_the_menu(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("English")
    menu = chat.labels
    await chat.command("/frobnicate")
    assert chat.labels == menu


async def test_a_redelivered_event_is_handled_once(app: App) -> None:
    from uuid import uuid4

    from dialogs.events import Inbound, Kind

    event = Inbound("test", "dup", "dup", Kind.TEXT, text="cứu", external_id=uuid4().hex)
    first = await app.conversations.handle(event)
    second = await app.conversations.handle(event)
    assert first.replies and not second.replies
    assert await count(app, HandoffRequest) == 1


async def test_english_is_complete_beside_vietnamese(app: App, transcript) -> None:
    chat = Transcript(app, chat="en-user", lang_hint="en")
    await chat.command("/start")
    assert "English" in chat.labels
    await chat.click("English")
    assert "111" in chat.text
    await chat.click(chat.labels[0])
    assert "Part 1 of 6: Consent" in chat.text
    assert not any(label.startswith(("decl.", "menu.", "nav.")) for label in chat.labels)


async def test_danger_words_typed_half_with_marks(app: App, transcript) -> None:
    chat = transcript()
    await chat.send("tôi bi nhot o đây")
    assert "113" in chat.text
    other = transcript(chat="other")
    await other.send("Tôi ở Cửu Long")
    assert "113" not in other.text


async def test_threats_answered_yes_raise_the_alarm(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "đang bị ai đe dọa" in c.text)
    assert await count(app, HandoffRequest) == 0
    await chat.click("Có")
    assert "113" in chat.text
    async with app.conversations.sessions() as session:
        request = await session.scalar(select(HandoffRequest))
    assert request is not None and request.urgent


async def test_a_relative_without_the_returnees_consent_keeps_nothing(app: App, transcript):
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai giúp người thân")
    await chat.click("Vợ hoặc chồng")
    await chat.click("Không đồng ý")
    assert "không làm bản khai thay" in chat.text
    assert "Khai báo" in chat.labels
    await chat.click("Khai báo")
    assert "Phần 1/6" in chat.text, "nothing unfinished was kept"


async def test_withdrawing_consent_on_the_review_is_recorded(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: "Hoàn tất và lưu" in c.labels)
    await chat.click("✏️ Phần 1")
    await chat.click("✏️ Lưu thông tin")
    await chat.click("Không đồng ý")
    async with app.conversations.sessions() as session:
        latest = await Consents(session).latest(chat.contact_id or 0)
    assert latest == {"record": False, "share_authorities": False, "contact": False}
    assert await count(app, Declaration) == 0


async def test_declaration_answers_are_not_copied_to_the_caseworker_log(app: App, transcript):
    chat = transcript()
    await chat.send("cứu tôi")
    await chat.click("Tiếng Việt")
    await chat.send("menu")
    await chat.click("Có, về menu chính")
    await chat.click("Khai báo")
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("Tên Không Được Chép")
    async with app.conversations.sessions() as session:
        bodies = list(await session.scalars(select(Message.body)))
    assert "cứu tôi" in bodies, "what was written to the caseworker is kept"
    assert "Tên Không Được Chép" not in bodies, "the declaration's answers are not"
