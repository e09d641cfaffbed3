"""The whole self-declaration as people walk it, on the real app and database."""

from __future__ import annotations

import io
import re
import unicodedata

from pypdf import PdfReader
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.settings import Settings
from db.models import Consent, Declaration
from tests.support import FakeClock, Transcript

REF = re.compile(r"\bHP-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}\b")


async def open_declaration(chat: Transcript) -> None:
    """First contact to the first consent question."""
    await chat.command("/start")
    assert "Tiếng Việt" in chat.labels and "English" in chat.labels
    await chat.click("Tiếng Việt")
    assert "111" in chat.text and "113" in chat.text
    await chat.click("Khai báo")
    assert "Phần 1/6: Sự đồng ý" in chat.text
    assert "Bỏ qua" not in chat.labels, "consent cannot be skipped"


async def consent_all(chat: Transcript) -> None:
    for _ in range(3):
        await chat.click("Đồng ý")


async def identity_as_returnee(chat: Transcript) -> None:
    await chat.click("Khai cho chính tôi")
    assert "tên" in chat.text.lower()
    await chat.send("Nguyễn Thị Thử Nghiệm")
    await chat.click("Bỏ qua")  # other names
    await chat.click("Nữ")
    await chat.send("31/02/1995")
    assert "15/03/1998" in chat.text, "an impossible date is asked again, with an example"
    await chat.send("15/03/1995")
    await chat.click("Kinh")
    await chat.click("Việt Nam")
    await chat.send("0123 4567 8901")
    await chat.send("thôn Đông Hưng, xã Đại Hợp, huyện Kiến Thụy")
    await chat.click("Gọi điện thoại")
    await chat.send("12345")
    assert "0912 345 678" in chat.text, "a wrong phone number is asked again, with an example"
    await chat.send("+84 912.345.678")
    await chat.click("Buổi tối")
    await chat.click("Tiếng Việt")


async def events_return_needs(chat: Transcript) -> None:
    await chat.click("An toàn, làm tiếp")
    await chat.send("tháng 5/2019")
    await chat.send("bến xe Lào Cai")
    await chat.click("Hứa hẹn việc làm")
    await chat.click("Quen qua mạng")
    assert "✓ Hứa hẹn việc làm" in chat.labels
    await chat.click("Xong")
    await chat.send("Quảng Tây, Trung Quốc")
    await chat.click("Cưỡng bức lao động")
    await chat.click("Xong")
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: Cưỡng bức lao động" in chat.text
    await chat.click("Xong")
    await chat.send("khoảng 3 năm")
    await chat.click("Không nhớ")  # return date
    await chat.click("Được giải thoát")
    await chat.click("Bỏ qua")  # border gate
    await chat.send("Đồn Biên phòng (tên bịa để thử)")
    await chat.click("Không có giấy tờ")
    await chat.click("Xong")
    for _ in range(4):  # injuries, pregnant, children, threats
        await chat.click("Không")
    await chat.click("Chỗ ở")
    await chat.click("Hỗ trợ tâm lý")
    await chat.click("Xong")
    await chat.send("Muốn học nghề may, mã thử ZXQ-778")


async def submit(chat: Transcript) -> str:
    await chat.click("Hoàn tất và lưu")
    match = REF.search(chat.text)
    assert match, chat.text
    assert "3 ngày" in chat.text
    return match.group()


async def pdf_text(app: App, chat: Transcript, ref: str) -> str:
    data = await app.conversations.declaration_pdf(chat.contact_id, ref, "vi")
    assert data is not None
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


async def test_returnee_declares_edits_on_review_and_gets_a_pdf(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await identity_as_returnee(chat)
    await events_return_needs(chat)

    assert "Xem lại bản khai" in chat.text
    assert "Họ và tên: Nguyễn Thị Thử Nghiệm" in chat.text
    assert "Tên khác: (bỏ qua)" in chat.text
    assert "Ngày sinh: 15/03/1995" in chat.text
    assert "Số điện thoại: +84912345678" in chat.text
    assert "Người đại diện" not in chat.text, "no legal representative for an adult"
    assert "Quan hệ" not in chat.text, "no relationship when declaring for oneself"
    assert "An toàn để nói" not in chat.text, "the safety check is not kept"

    await chat.click("✏️ Phần 3: Thông tin cá nhân")
    await chat.click("✏️ Họ và tên")
    assert "Câu trả lời hiện tại: Nguyễn Thị Thử Nghiệm" in chat.text
    await chat.send("Trần Thị Ánh Tuyết")
    assert "Xem lại bản khai" in chat.text, "after an edit, back to the review"
    assert "Họ và tên: Trần Thị Ánh Tuyết" in chat.text

    ref = await submit(chat)
    assert "Khai báo" in chat.labels, "the menu follows"
    async with app.conversations.sessions() as session:
        stored = await session.scalar(select(Declaration).where(Declaration.ref == ref))
    assert stored is not None
    assert stored.answers["full_name"] == "Trần Thị Ánh Tuyết"
    assert stored.answers["other_names"] is None
    assert stored.answers["recruited_how"] == ["job_offer", "online"]
    assert stored.answers["return_date"] == {"unknown": True}
    assert "safe_now" not in stored.answers

    text = await pdf_text(app, chat, ref)
    for expected in (
        ref,
        "Trần Thị Ánh Tuyết",
        "thôn Đông Hưng, xã Đại Hợp, huyện Kiến Thụy",
        "Quảng Tây, Trung Quốc",
        "Hứa hẹn việc làm, Quen qua mạng",
        "15/03/1995",
    ):
        assert expected in text, expected


async def test_relative_declares_for_a_minor(app: App, transcript) -> None:
    chat = transcript(chat="relative")
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai giúp người thân")
    assert "Bạn là gì của người trở về?" in chat.text
    await chat.click("Cha hoặc mẹ")
    await chat.click("Chưa hỏi được")
    await chat.send("Lê Thị Giả Định")
    await chat.click("Bỏ qua")
    await chat.click("Nữ")
    await chat.send("2010")
    assert "Người đại diện" in chat.text or "đại diện" in chat.text.lower()
    await chat.send("Lê Văn Mẫu, bố")
    await chat.click("Bỏ qua")  # ethnicity
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: (bỏ qua)" in chat.text
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: Lê Văn Mẫu, bố" in chat.text
    await chat.click("Bỏ qua")  # the representative, now skipped
    await chat.click("Bỏ qua")
    await chat.skip_until(lambda c: "Xem lại bản khai" in c.text)
    assert "Quan hệ với người trở về: Cha hoặc mẹ" in chat.text
    assert "Người đại diện: (bỏ qua)" in chat.text
    assert "Dân tộc: (bỏ qua)" in chat.text
    ref = await submit(chat)
    text = await pdf_text(app, chat, ref)
    assert "Lê Thị Giả Định" in text and "Cha hoặc mẹ" in text


async def test_resumes_after_restart_days_later(settings: Settings, clock: FakeClock) -> None:
    first = await build_app(settings, clock)
    chat = Transcript(first, chat="resumer")
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("Phạm Thị Tạm Dừng")
    assert "Tên khác" in chat.text or "tên khác" in chat.text.lower()
    await first.close()

    clock.advance(days=3)
    second = await build_app(settings, clock)
    chat = Transcript(second, chat="resumer")
    await chat.send("xin chào")
    assert "Làm tiếp" in chat.labels and "Làm lại từ đầu" in chat.labels
    await chat.click("Làm tiếp")
    assert "Phần 3/6: Thông tin cá nhân" in chat.text, chat.text
    assert "Bạn có dùng tên khác" in chat.text
    await chat.click("Bỏ qua")
    await chat.click("Nữ")
    await chat.click("Quay lại")
    await chat.click("Quay lại")
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: Phạm Thị Tạm Dừng" in chat.text
    await second.close()


async def test_start_over_forgets_unfinished_answers(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("Đỗ Thị Bỏ Dở")
    await chat.click("Menu chính")
    await chat.click("Khai báo")
    await chat.click("Làm lại từ đầu")
    assert "Phần 1/6" in chat.text
    assert "Đỗ Thị Bỏ Dở" not in chat.text


async def test_without_consent_nothing_is_kept(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await chat.click("Không đồng ý")
    assert "111" in chat.text and "Khai báo" in chat.labels
    async with app.conversations.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Declaration)) == 0
        assert await session.scalar(select(func.count()).select_from(Consent)) == 0


async def test_safety_check_pauses_and_keeps_answers(app: App, transcript) -> None:
    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.send("Vũ Thị Tạm Nghỉ")
    await chat.skip_until(lambda c: "Chưa được, để sau" in c.labels)
    await chat.click("Chưa được, để sau")
    assert "Khai báo" in chat.labels
    await chat.click("Khai báo")
    await chat.click("Làm tiếp")
    assert "Chưa được, để sau" in chat.labels, "the safety question is asked again"
