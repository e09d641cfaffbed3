"""The printed declaration: a document a commune office accepts, made once and kept encrypted."""

from __future__ import annotations

import io
import logging
import re
import stat
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from bot.app import App
from bot.channels.terminal import TerminalChat
from bot.services.declaration_files import DeclarationFiles
from bot.services.declaration_pdf import PrintableDeclaration, render_declaration_pdf, write_pdf
from bot.settings import Settings
from db.crypto import get_cipher
from tests.bot.telegram_support import User, telegram_app
from tests.fakes.telegram_server import FakeTelegram
from tests.support import FakeClock, Transcript

NAME = "Nguyễn Thị Thử Nghiệm"
ADDRESS = "thôn Đông Hưng, xã Kiến Hưng, Hải Phòng"
PRECOMPOSED = "ằ ẫ ệ ữ ỹ Đ ơ ư"
LONG = ("Tôi đã làm việc ở xưởng may, bị giữ giấy tờ và không được về nhà. " * 20)[:1000]
REF = "HP-7KQ4-2M"
CHAT = 700042
OLD_ADDRESS = "thôn Đông Hưng, xã Đại Hợp, huyện Kiến Thụy"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc")
READING_COPY = "Bản đọc tham khảo / Reading copy — not for filing"
# 18:00 UTC on 2 December is already 3 December in Hải Phòng.
EVENING_BEFORE = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
DATE_LINE = "Hải Phòng, ngày 3 tháng 12 năm 2026"


def _doc(rows: int = 40, **changes: object) -> PrintableDeclaration:
    """A Vietnamese declaration long enough to need two pages."""
    extra = [(f"Câu hỏi số {i}", f"Trả lời thứ {i}: đồng ý") for i in range(rows)]
    doc = PrintableDeclaration(
        lang="vi",
        nation=MOTTO[0],
        motto=MOTTO[1],
        title="BẢN TỰ KHAI",
        subtitle="của người thử nghiệm",
        ref_line=f"Mã bản khai: {REF}",
        addressee="Kính gửi: Ủy ban nhân dân phường Thử Nghiệm",
        sections=[
            ("I. Thông tin cá nhân", [("Họ và tên", NAME), ("Nơi ở hiện nay", ADDRESS)]),
            ("II. Hoàn cảnh", [("Kể lại", LONG), ("Ký tự", PRECOMPOSED), *extra]),
            ("III. Mục trống", []),
        ],
        place_date=DATE_LINE,
        signer="Người khai",
        sign_hint="(ký, ghi rõ họ tên)",
        ref=REF,
        page_label="Trang {page}/{pages}",
        doc_title="Bản tự khai",
        created=EVENING_BEFORE,
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def _pages(data: bytes) -> list[str]:
    """Each page's text in NFC with collapsed whitespace, as a reader would copy it."""
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]
    return [re.sub(r"\s+", " ", unicodedata.normalize("NFC", p)) for p in pages]


def _text(data: bytes) -> str:
    """The whole document's text."""
    return " ".join(_pages(data))


def _flat(text: str) -> str:
    """Collapse whitespace the way the extracted text is collapsed."""
    return re.sub(r"\s+", " ", text).strip()


def test_vietnamese_answers_survive_in_extracted_text() -> None:
    data = render_declaration_pdf(_doc())
    text = _text(data)
    assert data.startswith(b"%PDF")
    assert len(_pages(data)) >= 2
    for expected in (NAME, ADDRESS, PRECOMPOSED, REF, *MOTTO, DATE_LINE, "(ký, ghi rõ họ tên)"):
        assert expected in text
    assert _flat(LONG) in text
    assert "Trả lời thứ 39: đồng ý" in text


def test_every_page_footer_shows_its_number_and_the_total() -> None:
    pages = _pages(render_declaration_pdf(_doc()))
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in page


def test_decomposed_input_is_normalised() -> None:
    doc = _doc(0, sections=[("A", [("Họ và tên", unicodedata.normalize("NFD", NAME))])])
    assert NAME in _text(render_declaration_pdf(doc))


def test_value_taller_than_a_page_is_split_not_lost() -> None:
    tall = "\n".join(f"dòng {i}" for i in range(150))
    data = render_declaration_pdf(_doc(0, sections=[("A", [("Dài", tall)])]))
    text = _text(data)
    assert len(_pages(data)) >= 3
    assert all(f"dòng {i} " in text for i in range(150))


def test_user_text_is_printed_as_typed_and_missing_glyphs_are_marked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    typed = "giữ {nb} {pages} \x01\x02 **đậm** 中\x07"
    with caplog.at_level(logging.WARNING):
        text = _text(render_declaration_pdf(_doc(0, sections=[("A", [("Ghi chú", typed)])])))
    assert "giữ {nb} {pages} **đậm** ?" in text
    assert not caplog.records  # nothing from the answers reaches the logs


def test_letters_beyond_vietnamese_print_with_the_whole_font() -> None:
    doc = _doc(0, sections=[("A", [("Tên khác", "Ольга Ἀθηνᾶ ∑")])])
    assert "Ольга Ἀθηνᾶ ∑" in _text(render_declaration_pdf(doc))


def test_metadata_names_nobody_and_the_same_answers_give_the_same_bytes() -> None:
    data = render_declaration_pdf(_doc(2))
    assert render_declaration_pdf(_doc(2)) == data
    reader = PdfReader(io.BytesIO(data))
    assert str(reader.root_object["/Lang"]) == "vi"
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Bản tự khai"
    assert meta.author is None
    assert meta.creator is None


def test_write_pdf_is_private_and_atomic(tmp_path: Path) -> None:
    target = tmp_path / "private" / "declaration.pdf"
    assert write_pdf(b"%PDF-first", target) == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    write_pdf(b"%PDF-replaced", target)
    assert target.read_bytes() == b"%PDF-replaced"
    assert [p.name for p in target.parent.iterdir()] == ["declaration.pdf"]


# --- Through the app: what a person gets after "Finish and save" --------------------------


async def declare_in_english(chat: Transcript, relative: bool = False, where: str = "") -> str:
    """An English-speaking person declares, skipping most questions; returns the code."""
    await chat.command("/start")
    await chat.click("English")
    await chat.click("Make a declaration")
    for _ in range(3):
        await chat.click("I agree")
    if relative:
        await chat.click("For a relative")
        await chat.click("Parent")
        await chat.click("Yes, they agree")
    else:
        await chat.click("For myself")
    await chat.send(NAME)
    while "Finish and save" not in chat.labels:
        if where and re.search(r"Where (do you|does the returnee) live now\?", chat.text):
            await chat.send(where)
            where = ""
        elif "It's safe, go on" in chat.labels:
            await chat.click("It's safe, go on")
        else:
            await chat.click("Skip")
    await chat.click("Finish and save")
    found = re.search(r"HP-[0-9A-Z]{4}-[0-9A-Z]{2}", chat.text)
    assert found, chat.text
    return found.group()


async def pdf(app: App, chat: Transcript, ref: str, lang: str) -> bytes:
    data = await app.conversations.declaration_pdf(chat.contact_id, ref, lang)
    assert data is not None
    return data


def sealed(app: App) -> list[Path]:
    """The kept copies on disk."""
    folder = app.conversations.files.folder
    return sorted(folder.glob("*.sealed")) if folder.is_dir() else []


async def test_the_office_copy_is_vietnamese_and_reads_like_an_administrative_document(
    app: App, transcript, clock: FakeClock
) -> None:
    clock.now = EVENING_BEFORE
    chat = transcript(chat="english", lang_hint="en")
    ref = await declare_in_english(chat, where=OLD_ADDRESS)
    assert "print the Vietnamese file" in chat.text
    assert "just this code" not in chat.text

    vietnamese = _text(await pdf(app, chat, ref, "vi"))
    for expected in (*MOTTO, "BẢN TỰ KHAI", DATE_LINE, "Người khai", "(ký, ghi rõ họ tên)", NAME):
        assert expected in vietnamese, expected
    assert "Kính gửi: Ủy ban nhân dân xã Kiến Hải" in vietnamese
    assert "do người thân khai thay" not in vietnamese
    for absent in ("(bỏ qua)", "(skipped)", "Made on", "mã này", READING_COPY, "Declarant"):
        assert absent not in vietnamese, absent

    english = await pdf(app, chat, ref, "en")
    pages = _pages(english)
    assert all(READING_COPY in page for page in pages), "marked on every page"
    assert "To: the People's Committee of Xã Kiến Hải" in pages[0]
    assert "Hải Phòng, 3 December 2026" in " ".join(pages)


async def test_a_relative_is_named_in_the_title_and_signs(app: App, transcript) -> None:
    chat = transcript(chat="relative", lang_hint="en")
    ref = await declare_in_english(chat, relative=True)
    text = _text(await pdf(app, chat, ref, "vi"))
    assert "BẢN TỰ KHAI của người bị mua bán trở về, do người thân khai thay" in text
    assert "Người thân khai thay (ký, ghi rõ họ tên)" in text
    assert "Kính gửi: Ủy ban nhân dân xã/phường ..........." in text, "no commune: by hand"


async def test_rendered_once_at_submission_and_kept_encrypted(
    app: App, transcript, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []
    real = DeclarationFiles.render

    def counted(self: DeclarationFiles, ref: str, *args: object) -> bytes:
        renders.append(str(args[1]))
        return real(self, ref, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(DeclarationFiles, "render", counted)
    chat = transcript(chat="english", lang_hint="en")
    ref = await declare_in_english(chat)
    assert sorted(renders) == ["en", "vi"], "both copies made when the declaration is saved"

    kept = sealed(app)
    assert [p.name for p in kept] == [f"{ref}.en.sealed", f"{ref}.vi.sealed"]
    for path in kept:
        raw = path.read_bytes()
        assert b"%PDF" not in raw and NAME.encode() not in raw
        with pytest.raises(PdfReadError):
            PdfReader(io.BytesIO(raw))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    official = get_cipher().decrypt(kept[1].read_bytes())
    assert official.startswith(b"%PDF")
    assert await pdf(app, chat, ref, "vi") == official
    assert await pdf(app, chat, ref, "vi") == official, "a retry gets the same bytes"
    assert sorted(renders) == ["en", "vi"], "and nothing is rendered again"

    assert await app.conversations.declaration_pdf(None, ref, "vi") is None
    other = transcript(chat="someone else")
    await other.command("/start")
    assert await app.conversations.declaration_pdf(other.contact_id, ref, "vi") is None

    app.conversations.declaration_sent(ref, "vi")
    assert [p.name for p in sealed(app)] == [f"{ref}.en.sealed"]


async def test_erasing_removes_the_kept_copies(app: App, transcript) -> None:
    chat = transcript(chat="english", lang_hint="en")
    ref = await declare_in_english(chat)
    assert len(sealed(app)) == 2
    written = app.conversations.files.write(ref, await pdf(app, chat, ref, "en"), "en")
    await chat.send("erase")
    await chat.click("Yes, erase all")
    assert sealed(app) == []
    assert not written.exists()


async def test_on_telegram_both_copies_arrive_and_a_retry_sends_the_same_bytes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders: list[str] = []
    real = DeclarationFiles.render

    def counted(self: DeclarationFiles, ref: str, *args: object) -> bytes:
        renders.append(str(args[1]))
        return real(self, ref, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(DeclarationFiles, "render", counted)
    async with FakeTelegram() as tg, telegram_app(settings, tg) as (app, _runtime):
        user = User(tg, app, CHAT, language_code="en")
        await user.says("/start")
        for label in ("English", "Make a declaration", "I agree", "I agree", "I agree"):
            await user.presses(label)
        await user.presses("For myself")
        await user.says(NAME)
        while "Finish and save" not in str(tg.sent(CHAT)[-1].get("reply_markup")):
            safe = "It's safe, go on" in str(tg.sent(CHAT)[-1].get("reply_markup"))
            await user.presses("It's safe, go on" if safe else "Skip")
        tg.fail_next("sendDocument", times=1, status=500)
        await user.presses("Finish and save")
        found = re.search(r"HP-[0-9A-Z]{4}-[0-9A-Z]{2}", user.screen)
        assert found
        ref = found.group()

        attempts = tg.calls_of("sendDocument")
        names = [a["document"].filename for a in attempts]
        assert names == [f"{ref}.pdf", f"{ref}.pdf", f"{ref}-en.pdf"], "the first one retried"
        assert attempts[0]["document"].data == attempts[1]["document"].data
        assert all(a["protect_content"] is True for a in attempts)
        shown = [tg.file_of(m) for m in tg.sent(CHAT) if "document" in m]
        assert [f.filename for f in shown] == [f"{ref}.pdf", f"{ref}-en.pdf"]
        assert MOTTO[0] in _text(shown[0].data) and READING_COPY not in _text(shown[0].data)
        assert all(READING_COPY in page for page in _pages(shown[1].data))
        assert sorted(renders) == ["en", "vi"], "rendered once each, not again on the retry"
        assert sealed(app) == [], "nothing is kept once sent"


async def test_the_terminal_writes_both_files_and_says_where(app: App) -> None:
    lines: list[str] = []
    term = TerminalChat(app, "terminal-user", "en", lines.append)

    shown: dict[str, str] = {}

    async def send(line: str) -> None:
        """Type a line, then read the numbered buttons the terminal printed for it."""
        start = len(lines)
        await term.send(line)
        shown.clear()
        for printed in lines[start:]:
            shown.update((m[2].strip(), m[1]) for m in re.finditer(r"\[(\d+)\] ([^[]+)", printed))

    async def press(label: str) -> None:
        """By its number, or by its words where buttons have none (a typed question)."""
        await send(shown.get(label, label))

    await send("/start")
    for label in ("English", "Make a declaration", "I agree", "I agree", "I agree", "For myself"):
        await press(label)
    await send(NAME)
    while "Finish and save" not in shown:
        await press("It's safe, go on" if "It's safe, go on" in shown else "Skip")
    await press("Finish and save")
    paths = [Path(line.removeprefix("PDF: ")) for line in lines if line.startswith("PDF: ")]
    assert len(paths) == 2 and paths[1].name == paths[0].name.replace(".pdf", "-en.pdf")
    assert MOTTO[0] in _text(paths[0].read_bytes())
    assert READING_COPY in _text(paths[1].read_bytes())
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in paths)
    assert sealed(app) == [], "handed over: no encrypted copy is kept"


async def test_a_copy_rendered_for_a_late_send_is_not_kept(app: App, transcript) -> None:
    chat = transcript(chat="late-sender", lang_hint="en")
    ref = await declare_in_english(chat)
    assert len(sealed(app)) == 2, "kept at submission"
    for lang in ("vi", "en"):
        app.conversations.declaration_sent(ref, lang)
    assert MOTTO[0] in _text(await pdf(app, chat, ref, "vi"))
    assert sealed(app) == [], "rendered for that send only: an erase meanwhile leaves nothing"
