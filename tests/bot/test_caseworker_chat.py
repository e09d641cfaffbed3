"""The person's side of a case: queued, told where they stand, relayed, answered, ended."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import App
from db.models import HandoffRequest
from dialogs.events import Kind
from dialogs.state import Screen
from tests.support import FakeClock, Transcript


async def at_menu(chat: Transcript, lang: str = "vi") -> None:
    await chat.command("/start")
    await chat.press(f"lang:{lang}")


async def talk(chat: Transcript, lang: str = "vi") -> None:
    await at_menu(chat, lang)
    await chat.click("Nói chuyện với cán bộ" if lang == "vi" else "Talk to a caseworker")


async def system(chat: Transcript, payload: str, text: str = "", **data: Any) -> None:
    """What the caseworker's console does, as the unit of work receives it."""
    await chat._event(Kind.SYSTEM, payload=payload, text=text, data=data)


async def cases(app: App) -> list[HandoffRequest]:
    async with app.conversations.sessions() as session:
        return list(await session.scalars(select(HandoffRequest).order_by(HandoffRequest.id)))


async def test_asking_for_a_person_tells_place_and_hours(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    assert "Một người thật sẽ đọc và trả lời bạn ngay tại đây" in chat.text
    assert "vị trí số 1 trong hàng chờ" in chat.text
    assert "Thứ Hai–Thứ Sáu, 7:30–17:00" in chat.text
    assert "ngoài giờ" not in chat.text
    [case] = await cases(app)
    assert (case.status, case.urgent, case.team) == ("waiting", False, "city")


async def test_in_english(app: App, transcript) -> None:
    chat = transcript(lang_hint="en")
    await talk(chat, "en")
    assert "A real person will read your messages" in chat.text
    assert "Your place in the queue: 1." in chat.text
    assert "Monday–Friday, 7:30–17:00" in chat.text


async def test_outside_hours_says_when_and_gives_111(app: App, transcript, clock: FakeClock):
    clock.advance(days=3, hours=9)  # Friday 19:00 in Hà Nội
    chat = transcript()
    await talk(chat)
    assert "ngoài giờ làm việc" in chat.text
    assert "7:30, Thứ Hai 7/12" in chat.text
    assert "111" in chat.text and "24/7" in chat.text
    en = transcript(chat="en", lang_hint="en")
    await talk(en, "en")
    assert "outside working hours" in en.text and "7:30, Monday 7 December" in en.text
    assert "call 111 (free, 24/7)" in en.text


async def test_place_in_the_queue_counts_those_ahead_urgent_first(app: App, transcript) -> None:
    first, second = transcript(chat="a"), transcript(chat="b")
    await talk(first)
    await talk(second)
    assert "vị trí số 2" in second.text
    third = transcript(chat="c")
    await at_menu(third)
    await third.send("cứu tôi, họ nhốt tôi")
    assert "vị trí số 1" in third.text, "danger goes before everyone waiting"


async def test_what_the_person_writes_goes_to_the_caseworker(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    await chat.send("Khai báo")  # a menu label: now words for the caseworker, not a press
    assert chat.text == "Đã gửi cho cán bộ. Cán bộ sẽ trả lời bạn ngay tại đây."
    assert not chat.labels
    await chat.send("Tôi cần giúp về giấy tờ")
    assert chat.replies == [], "said once: then silence until the caseworker answers"
    await chat.location(20.8, 106.7)
    assert chat.replies == []
    await chat._event(Kind.MEDIA, data={"media": "voice"})
    assert chat.replies == []
    await chat.send("2")
    assert chat.replies == [], "a number is a message too"


async def test_a_file_too_large_is_said_even_in_a_case(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    await chat._event(Kind.MEDIA, data={"media": "document", "too_big": True, "limit": 20_000_000})
    assert "lớn quá" in chat.text and "20 MB" in chat.text


async def test_joined_reply_transfer_and_close(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    await system(chat, "case:joined", code="4821")
    assert "4821" in chat.text and "Cán bộ cũng thấy đúng mã này" in chat.text
    assert "giả làm người giúp đỡ" in chat.text
    assert not chat.labels, "a system event shows no screen again"
    await chat.send("Chào chị")
    assert chat.replies == [], "no 'sent' once someone is there"
    await system(chat, "case:reply", text="Chào em, em đang ở đâu? {not a field} <b>")
    assert chat.text == "Cán bộ: Chào em, em đang ở đâu? {not a field} <b>"
    assert not chat.labels and chat.replies[0].sensitive
    await system(chat, "case:transferred")
    assert "Một cán bộ khác sẽ tiếp tục" in chat.text
    await system(chat, "case:closed", outcome="resolved")
    assert "Cán bộ đã kết thúc cuộc trò chuyện" in chat.text
    assert "Khai báo" in chat.labels, "the menu is back"
    await chat.click("Khai báo")
    assert "Phần 1/6" in chat.text, "the flows answer again"


async def test_system_events_in_english(app: App, transcript) -> None:
    chat = transcript(lang_hint="en")
    await talk(chat, "en")
    await system(chat, "case:joined", code="0375")
    assert "Verification code: 0375" in chat.text and "do not trust them" in chat.text
    await system(chat, "case:reply", text="Hello, how can I help?")
    assert chat.text == "Caseworker: Hello, how can I help?"
    await system(chat, "case:closed", outcome="resolved")
    assert "The caseworker has ended the conversation" in chat.text
    assert "Make a declaration" in chat.labels


async def test_menu_asks_before_leaving_the_caseworker(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    for leave in ("menu", "Menu", "MENU chinh", "/menu"):
        if leave.startswith("/"):
            await chat.command(leave)
        else:
            await chat.send(leave)
        assert "rời cuộc trò chuyện với cán bộ" in chat.text, leave
        await chat.click("Không, tiếp tục nói chuyện")
        assert "Bạn đang trong hàng chờ" in chat.text
    await chat.send("menu")
    await chat.send("khong")  # a typed no, without diacritics
    assert "Bạn đang trong hàng chờ" in chat.text
    await chat.press("nav:menu")  # the button, under an older message
    await chat.send("1")  # its first button, typed
    assert "Bạn đã rời cuộc trò chuyện với cán bộ" in chat.text
    assert "Khai báo" in chat.labels
    [case] = await cases(app)
    assert (case.status, case.outcome) == ("closed", "left_by_person")
    await chat.send("xin chào")
    assert "Khai báo" in chat.labels, "words are the flows' again"


async def test_leaving_in_english(app: App, transcript) -> None:
    chat = transcript(lang_hint="en")
    await talk(chat, "en")
    await chat.send("main menu")
    await chat.send("Yes")
    assert "You have left the conversation with the caseworker" in chat.text
    assert (await cases(app))[0].outcome == "left_by_person"


async def test_danger_words_in_a_case_still_alarm(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    await chat.send("ho dang danh toi")
    assert "113" in chat.text
    assert "vị trí số" not in chat.text, "already queued: the emergency alone"
    [case] = await cases(app)
    assert case.urgent and case.priority == "urgent" and case.status == "waiting"


async def test_erase_works_in_a_case(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    await chat.send("xoa")
    await chat.click("Không, giữ lại")
    assert "Không có gì bị xóa" in chat.text and "Bạn đang trong hàng chờ" in chat.text
    await chat.send("xóa dữ liệu")
    await chat.click("Có, xóa hết")
    assert "Chỉ còn một ghi nhận không tên" in chat.text


async def test_a_second_emergency_after_a_closed_case_opens_a_new_one(app: App, transcript):
    chat = transcript()
    await at_menu(chat)
    await chat.send("cứu tôi")
    assert "vị trí số 1" in chat.text
    async with app.conversations.sessions() as session, session.begin():
        first = await session.scalar(select(HandoffRequest))
        assert first is not None
        first.status = "closed"
    await system(chat, "case:closed", outcome="resolved")
    await chat.click("Nói chuyện với cán bộ")
    await chat.send("menu")
    await chat.click("Có, về menu chính")
    await chat.send("họ lại đánh tôi")
    assert "113" in chat.text and "vị trí số 1" in chat.text
    rows = await cases(app)
    assert [(r.status, r.urgent) for r in rows] == [
        ("closed", True),
        ("closed", False),
        ("waiting", True),
    ], "a talk after the close is not urgent; the new danger is"


async def test_two_misunderstandings_offer_a_person(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    await chat.send("abc")
    assert "Chưa hiểu ý bạn" in chat.text
    await chat.send("xyz")
    assert "Chưa hiểu ý bạn" not in chat.text
    assert "Bạn có muốn nói chuyện với cán bộ hỗ trợ không?" in chat.text
    await chat.click("Nói chuyện với cán bộ")
    assert "vị trí số 1" in chat.text


async def test_a_story_at_the_menu_is_offered_a_person_at_once(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    await chat.send("toi moi ve nha tuan truoc va khong biet phai lam gi bay gio")
    assert "Bạn có muốn nói chuyện với cán bộ hỗ trợ không?" in chat.text
    assert "Nói chuyện với cán bộ" in chat.labels and "Khai báo" in chat.labels
    en = transcript(chat="en", lang_hint="en")
    await at_menu(en, "en")
    await en.send("asdf")
    await en.send("qwer")
    assert "Would you like to talk to a caseworker?" in en.text
    assert "did not understand" not in en.text


async def test_an_understood_message_resets_the_count(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    await chat.send("abc")
    await chat.send("menu")
    await chat.send("xyz")
    assert "Chưa hiểu ý bạn" in chat.text


async def test_voice_photo_and_sticker_outside_a_case(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    await chat._event(Kind.MEDIA, data={"media": "voice"})
    assert "không nghe được tin nhắn thoại" in chat.text
    assert "Nói chuyện với cán bộ" in chat.labels
    await chat._event(Kind.MEDIA, data={"media": "photo"})
    assert "không xem được ảnh" in chat.text
    await chat._event(Kind.MEDIA, data={"media": "sticker"})
    assert "nhãn dán" in chat.text
    await chat._event(Kind.MEDIA, data={"media": "document", "too_big": True})
    assert "lớn quá" in chat.text
    assert await cases(app) == [], "nobody is queued without asking"
    en = transcript(chat="en", lang_hint="en")
    await at_menu(en, "en")
    await en._event(Kind.MEDIA, data={"media": "voice"})
    assert "I cannot listen to voice messages, but a caseworker can" in en.text
    assert "Talk to a caseworker" in en.labels


async def test_a_caption_with_danger_words_alarms(app: App, transcript) -> None:
    chat = transcript()
    await at_menu(chat)
    await chat._event(Kind.MEDIA, text="họ nhốt tôi ở đây", data={"media": "photo"})
    assert "113" in chat.text
    assert (await cases(app))[0].urgent


async def test_danger_at_first_contact_then_the_language(app: App, transcript) -> None:
    chat = transcript()
    await chat.send("cuu toi")
    assert "113" in chat.text and "Tiếng Việt" in chat.labels
    await chat.click("Tiếng Việt")
    assert "Bạn đang trong hàng chờ" in chat.text, "then back in the conversation"
    assert "Xóa dữ liệu" in chat.labels, "the intro names it"
    await chat.send("tôi ở Kiến Thụy")
    assert "Đã gửi cho cán bộ" in chat.text


async def test_the_engine_names_what_is_for_the_caseworker(app: App) -> None:
    """Outcome.relay: the unit of work stores exactly these as the person's messages."""
    from datetime import UTC, datetime

    from dialogs.events import Inbound
    from dialogs.state import State
    from tests.dialogs.fake_services import MemoryServices

    engine, services = app.conversations.engine, MemoryServices()
    now = datetime(2026, 12, 1, 3, tzinfo=UTC)

    async def send(state: State, kind: Kind, **kw: Any) -> tuple[State, bool]:
        outcome = await engine.handle(state, Inbound("t", "c", "u", kind, **kw), services, now)
        return outcome.state, outcome.relay

    state, relay = await send(
        State(lang="vi", screen=Screen.MENU), Kind.BUTTON, payload="menu:talk"
    )
    assert not relay and state.case == "waiting"
    for kind, kw in (
        (Kind.TEXT, {"text": "chào"}),
        (Kind.LOCATION, {"location": (20.8, 106.7)}),
        (Kind.MEDIA, {"data": {"media": "voice"}}),
        (Kind.MEDIA, {"data": {"media": "voice", "too_big": True}}),  # shown, without the file
        (Kind.TEXT, {"text": "cứu tôi"}),
    ):
        state, relay = await send(state, kind, **kw)
        assert relay, kind
    for kind, kw in (
        (Kind.TEXT, {"text": "menu"}),
        (Kind.SYSTEM, {"payload": "case:joined", "data": {"code": "1"}}),
    ):
        state, relay = await send(state, kind, **kw)
        assert not relay, kind
    _, relay = await send(State(lang="vi", screen=Screen.MENU), Kind.TEXT, text="abc")
    assert not relay, "outside a case nothing is relayed"


async def test_asking_again_while_a_caseworker_has_the_case(app: App, transcript) -> None:
    chat = transcript()
    await talk(chat)
    async with app.conversations.sessions() as session, session.begin():
        case = await session.scalar(select(HandoffRequest))
        assert case is not None
        case.status = "active"
    await system(chat, "case:closed", outcome="x")  # the person's side out of step with it
    await chat.click("Nói chuyện với cán bộ")
    assert "Bạn đang nói chuyện với cán bộ" in chat.text and "vị trí" not in chat.text
    await chat.send("chào")
    assert chat.replies == [], "no 'sent' either: someone is there"
