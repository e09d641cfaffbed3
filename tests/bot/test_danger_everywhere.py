"""Danger words on every text a person sends: the emergency reply each time, the words kept."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.app import App
from db.models import Contact, HandoffRequest
from tests.bot.test_declaration_flow import consent_all, open_declaration
from tests.bot.test_find_flow import to_find
from tests.support import Transcript

NOT_UNDERSTOOD = ("Chưa hiểu ý bạn", "Sorry, I did not understand")


def emergency_shown(chat: Transcript) -> bool:
    """The emergency numbers, the way to a caseworker, and no "sorry?"."""
    return (
        "113" in chat.text
        and "111" in chat.text
        and any(label in ("Nói chuyện với cán bộ", "Talk to a caseworker") for label in chat.labels)
        and not any(words in chat.text for words in NOT_UNDERSTOOD)
    )


async def request(app: App) -> HandoffRequest:
    async with app.conversations.sessions() as session:
        found = await session.scalar(select(HandoffRequest))
    assert found is not None
    return found


async def test_at_first_contact_in_english_the_reply_is_in_both_languages(app: App, transcript):
    chat = transcript()
    await chat.send("they locked me in a room")
    assert emergency_shown(chat)
    assert "call 113 (police)" in chat.text and "hãy gọi ngay 113" in chat.text
    assert "English" in chat.labels, "the language choice still follows"


async def test_at_the_language_choice(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.send("ho nhot toi")
    assert emergency_shown(chat)
    assert "Tiếng Việt" in chat.labels
    assert (await request(app)).urgent


async def test_inside_the_declaration_at_a_text_question(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("làm ơn giúp tôi, họ giữ hộ chiếu của tôi")
    assert emergency_shown(chat)


async def test_inside_the_declaration_at_a_choice_question(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    assert "Khai cho chính tôi" in chat.labels
    await chat.send("con gái tôi vẫn bị giữ ở Campuchia")
    assert emergency_shown(chat)
    assert "vị trí số 1 trong hàng chờ" in chat.text, "now with a caseworker, not the question"
    assert "Khai cho chính tôi" not in chat.labels
    await chat.send("menu")
    await chat.click("Có, về menu chính")
    await chat.click("Khai báo")
    await chat.click("Làm tiếp")
    assert "Khai cho chính tôi" in chat.labels, "the declaration waited where it was"


async def test_at_the_menu(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.send("tôi sợ lắm, họ đang tìm tôi")
    assert emergency_shown(chat)


async def test_in_the_directory_search(app: App, transcript) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.send("giúp tôi với")
    assert emergency_shown(chat)
    assert "Chưa tìm thấy" not in chat.text


async def test_in_english_at_the_menu(app: App, transcript) -> None:
    chat = Transcript(app, chat="en", lang_hint="en")
    await chat.command("/start")
    await chat.click("English")
    await chat.send("they took my passport and won't let me leave")
    assert emergency_shown(chat)
    assert "call 113 (police)" in chat.text and "hãy gọi" not in chat.text


async def test_self_harm_gives_115_and_111_before_113(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.send("toi muon tu tu")
    assert emergency_shown(chat)
    assert chat.text.index("115") < chat.text.index("111") < chat.text.index("113")
    assert "tự làm hại" in chat.text


async def test_the_caseworker_reads_every_matched_word(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.send("Họ nhốt tôi trong phòng")
    await chat.send("Họ dọa giết con tôi")
    await chat.send("Họ nhốt tôi trong phòng")
    found = await request(app)
    assert (found.urgent, found.reason) == (True, "danger")
    assert found.note == "held: nhốt\nthreat: dọa giết con"
    async with app.conversations.sessions() as session:
        stored = await session.scalar(text("SELECT note FROM handoff_requests"))
        contact = await session.scalar(select(Contact))
    assert stored and "nhốt" not in stored, "encrypted at rest"
    assert contact is not None and contact.urgent


async def test_a_closed_request_is_opened_again_by_new_danger(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.send("cứu tôi")
    async with app.conversations.sessions() as session, session.begin():
        first = await session.scalar(select(HandoffRequest))
        assert first is not None
        first.status = "closed"
    await chat.send("họ lại đánh tôi")
    async with app.conversations.sessions() as session:
        rows = (await session.scalars(select(HandoffRequest).order_by(HandoffRequest.id))).all()
    assert [(r.status, r.urgent, r.note) for r in rows] == [
        ("closed", True, "help: cứu"),
        ("waiting", True, "violence: đánh tôi"),
    ]


async def test_harmless_words_at_the_menu_do_not_alarm(app: App, transcript) -> None:
    chat = transcript()
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    for message in ("tôi làm nghiên cứu", "tôi ở Cửu Long", "tôi muốn vay vốn"):
        await chat.send(message)
        assert "113" not in chat.text, message
    async with app.conversations.sessions() as session:
        assert await session.scalar(select(HandoffRequest)) is None
