"""The printable declaration keeps every answer, its diacritics, the reference and page numbers."""

from __future__ import annotations

import io
import logging
import re
import stat
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.services.declaration_pdf import PrintableDeclaration, render_declaration_pdf, write_pdf

NAME = "Nguyễn Thị Thử Nghiệm"
ADDRESS = "thôn Đông Hưng, xã Kiến Hưng, Hải Phòng"
PRECOMPOSED = "ằ ẫ ệ ữ ỹ Đ ơ ư"
LONG = ("Tôi đã làm việc ở xưởng may, bị giữ giấy tờ và không được về nhà. " * 20)[:1000]
REF = "HP-7KQ4-2M"


def _vi_doc(rows: int = 40) -> PrintableDeclaration:
    """A Vietnamese declaration long enough to need two pages."""
    extra = [(f"Câu hỏi số {i}", f"Trả lời thứ {i}: đồng ý") for i in range(rows)]
    return PrintableDeclaration(
        lang="vi",
        title="TỜ KHAI CỦA NGƯỜI BỊ MUA BÁN TRỞ VỀ",
        ref_label="Mã hồ sơ:",
        ref=REF,
        generated="Tạo ngày 05 tháng 03 năm 2026",
        sections=[
            ("I. Thông tin cá nhân", [("Họ và tên", NAME), ("Nơi ở hiện nay", ADDRESS)]),
            ("II. Hoàn cảnh", [("Kể lại", LONG), ("Ký tự", PRECOMPOSED), *extra]),
            ("III. Mục trống", []),
        ],
        notes=[
            "Mang tờ khai này đến Ủy ban nhân dân xã nơi bạn cư trú.",
            "Tổng đài quốc gia bảo vệ trẻ em: 111. Đường dây nóng: 1800 1567.",
        ],
        signature_lines=["Ngày ... tháng ... năm ...", "Người khai (ký, ghi rõ họ tên)"],
        page_label="Trang {page}/{pages}",
    )


def _text(data: bytes) -> tuple[str, list[str]]:
    """Whole-document text in NFC with collapsed whitespace, plus each page's raw text."""
    pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]
    joined = unicodedata.normalize("NFC", " ".join(pages))
    return re.sub(r"\s+", " ", joined), pages


def _flat(text: str) -> str:
    """Collapse whitespace the way the extracted text is collapsed."""
    return re.sub(r"\s+", " ", text).strip()


def test_vietnamese_answers_survive_in_extracted_text() -> None:
    data = render_declaration_pdf(_vi_doc())
    text, pages = _text(data)
    assert data.startswith(b"%PDF")
    assert len(pages) >= 2
    for expected in (NAME, ADDRESS, PRECOMPOSED, REF, "I. Thông tin cá nhân", "1800 1567"):
        assert expected in text
    assert _flat(LONG) in text
    assert "Trả lời thứ 39: đồng ý" in text
    assert "Người khai (ký, ghi rõ họ tên)" in text


def test_every_page_footer_shows_its_number() -> None:
    _, pages = _text(render_declaration_pdf(_vi_doc()))
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number}/{total}" in unicodedata.normalize("NFC", page)


def test_decomposed_input_is_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", NAME)
    doc = replace(_vi_doc(rows=0), sections=[("A", [("Họ và tên", decomposed)])])
    text, _ = _text(render_declaration_pdf(doc))
    assert NAME in text


def test_value_taller_than_a_page_is_split_not_lost() -> None:
    tall = "\n".join(f"dòng {i}" for i in range(150))
    doc = replace(_vi_doc(rows=0), sections=[("A", [("Dài", tall)])])
    text, pages = _text(render_declaration_pdf(doc))
    assert len(pages) >= 3
    assert all(f"dòng {i} " in text for i in range(150))


def test_user_text_is_printed_as_typed_and_missing_glyphs_are_marked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    doc = replace(_vi_doc(rows=0), sections=[("A", [("Ghi chú", "giữ {nb} **đậm** 中\x07")])])
    with caplog.at_level(logging.WARNING):
        text, _ = _text(render_declaration_pdf(doc))
    assert "giữ {nb} **đậm** ?" in text
    assert not caplog.records  # nothing from the answers reaches the logs


def test_english_document_renders() -> None:
    doc = PrintableDeclaration(
        lang="en",
        title="SELF-DECLARATION OF A RETURNEE",
        ref_label="Reference:",
        ref=REF,
        generated="Generated on 5 March 2026",
        sections=[("Personal details", [("Full name", "Test Person"), ("Address", ADDRESS)])],
        notes=["Bring this form to the commune People's Committee."],
        signature_lines=["Date: ......", "Declarant (signature, full name)"],
        page_label="Page {page} of {pages}",
    )
    data = render_declaration_pdf(doc)
    text, pages = _text(data)
    assert "Test Person" in text
    assert ADDRESS in text
    assert REF in text
    assert f"Page 1 of {len(pages)}" in text
    reader = PdfReader(io.BytesIO(data))
    assert str(reader.root_object["/Lang"]) == "en"
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "SELF-DECLARATION OF A RETURNEE"
    assert meta.author is None
    assert meta.creator is None


def test_write_pdf_is_private_and_atomic(tmp_path: Path) -> None:
    data = render_declaration_pdf(_vi_doc(rows=2))
    target = tmp_path / "private" / "declaration.pdf"
    assert write_pdf(data, target) == target
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert target.read_bytes()[:4] == b"%PDF"
    write_pdf(b"%PDF-replaced", target)
    assert target.read_bytes() == b"%PDF-replaced"
    assert [p.name for p in target.parent.iterdir()] == ["declaration.pdf"]
