"""Layout of the printed declaration: a Vietnamese administrative document on A4, one pass."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from bot.services import pdf_fonts

FAMILY = pdf_fonts.FAMILY
BODY_SIZE = 10
LINE_H = 5.0
LABEL_SHARE = 0.36
SIGN_SPACE = 26  # room for a handwritten signature and full name
MAX_ROW_LINES = 40  # a row must fit on one page, so longer answers are split
BLANK = ["", ""]  # a skipped answer: an empty cell two lines tall, to be filled in by hand
PAD_X, PAD_Y = 1.5, 1.2
PAGES = "\x01\x02"  # stands for the page total; cleaned text never holds control characters
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Rows = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class PrintableDeclaration:
    """Everything the printout shows, already localised by the caller."""

    lang: str
    nation: str
    motto: str
    title: str
    subtitle: str
    ref_line: str
    addressee: str
    sections: Sequence[tuple[str, Rows]]
    place_date: str
    signer: str
    sign_hint: str
    ref: str
    page_label: str
    doc_title: str
    created: datetime
    banner: str = ""  # printed at the top of every page, e.g. "not for filing"


_TEXT_FIELDS = (
    "nation", "motto", "title", "subtitle", "ref_line", "addressee", "place_date", "signer",
    "sign_hint", "ref", "page_label", "doc_title", "banner",
)  # fmt: skip


def _clean(text: str, glyphs: Set[int]) -> str:
    """NFC without controls; glyphs the font lacks become "?" instead of silently vanishing."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", "    "))
    return "".join(c if c == "\n" or ord(c) in glyphs else "?" for c in text)


def _cleaned(doc: PrintableDeclaration, glyphs: Set[int]) -> PrintableDeclaration:
    """Clean every printed string once, so drawing code never sees raw input."""

    def c(text: str) -> str:
        return _clean(text, glyphs)

    return replace(
        doc,
        **{f: c(getattr(doc, f)) for f in _TEXT_FIELDS},  # type: ignore[arg-type]
        sections=[(c(t), [(c(k), c(v)) for k, v in rows]) for t, rows in doc.sections],
    )


def _used(doc: PrintableDeclaration) -> set[int]:
    """Every character the document prints, to choose fonts that have them all."""
    parts = [getattr(doc, f) for f in _TEXT_FIELDS]
    parts += [t + k + v for t, rows in doc.sections for k, v in rows]
    return {ord(ch) for part in parts for ch in part if ch != "\n"}


class _DeclarationPDF(FPDF):
    """FPDF with a header and a footer, so every loose printed page can be put back."""

    def __init__(self, doc: PrintableDeclaration) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc = doc

    def header(self) -> None:
        """A reading copy says so at the top of every page, where it cannot be missed."""
        if not self.doc.banner:
            return
        self.set_font(FAMILY, "B", 10)
        self.set_line_width(0.4)
        self.cell(0, 8, self.doc.banner, border=1, align=Align.C, new_x=XPos.LMARGIN)
        self.set_line_width(0.2)
        self.ln(12)

    def footer(self) -> None:
        """Reference on the left, "page x/y" on the right."""
        self.set_y(-14)
        self.set_font(FAMILY, size=8)
        label = self.doc.page_label.replace("{page}", str(self.page_no()))
        self.cell(self.epw / 2, 5, self.doc.ref, align=Align.L)
        self.cell(self.epw / 2, 5, label.replace("{pages}", PAGES), align=Align.R)


def _new_pdf(raw: PrintableDeclaration) -> _DeclarationPDF:
    """Set up the page, fonts and neutral metadata (no author or creator that could identify)."""
    doc = _cleaned(raw, pdf_fonts.all_glyphs())
    pdf = _DeclarationPDF(doc)
    pdf_fonts.install(pdf, _used(doc))
    pdf.alias_nb_pages(PAGES)
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_lang(doc.lang)
    pdf.set_title(doc.doc_title)
    pdf.set_creation_date(doc.created)  # the same answers always give the same bytes
    pdf.set_text_color(0)
    pdf.set_draw_color(0)
    pdf.add_page()
    return pdf


def _ensure_space(pdf: FPDF, height: float) -> None:
    """Start a new page when a block would not fit, so headings are not orphaned."""
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()


def _para(
    pdf: FPDF, text: str, size: float = BODY_SIZE, style: str = "", align: Align = Align.L
) -> None:
    """Full-width wrapped paragraph that continues onto the next page if needed."""
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """Text broken into lines of width; a line that fits is not run through the line breaker."""
    if "\n" not in text and pdf.get_string_width(text) <= width:
        return [text]
    out = MethodReturnValue.LINES
    return cast(list[str], pdf.multi_cell(width, LINE_H, text, dry_run=True, output=out))


def _row(pdf: FPDF, widths: tuple[float, float], label: list[str], value: list[str]) -> None:
    """One bordered label | value row, on a new page if it does not fit on this one."""
    height = max(len(label), len(value)) * LINE_H + 2 * PAD_Y
    _ensure_space(pdf, height)
    x, y = pdf.l_margin, pdf.get_y()
    for column, (left, lines) in enumerate(((x, label), (x + widths[0], value))):
        pdf.rect(left, y, widths[column], height)
        for i, line in enumerate(lines):
            pdf.set_xy(left + PAD_X, y + PAD_Y + i * LINE_H)
            pdf.cell(widths[column] - 2 * PAD_X, LINE_H, line)
    pdf.set_xy(x, y + height)


def _section(pdf: FPDF, title: str, rows: Rows) -> None:
    """Bold heading then a bordered label | value table; a row taller than a page is split."""
    _ensure_space(pdf, 22)
    pdf.ln(3)
    _para(pdf, title, size=11, style="B")
    pdf.ln(1)
    widths = (pdf.epw * LABEL_SHARE, pdf.epw * (1 - LABEL_SHARE))
    pdf.set_font(FAMILY, "", BODY_SIZE)
    pdf.set_line_width(0.2)
    for label, value in rows:
        label_lines = _lines(pdf, label, widths[0] - 2 * PAD_X)
        value_lines = _lines(pdf, value, widths[1] - 2 * PAD_X) if value else BLANK
        for start in range(0, max(len(label_lines), len(value_lines)), MAX_ROW_LINES):
            end = start + MAX_ROW_LINES
            _row(pdf, widths, label_lines[start:end], value_lines[start:end])


def _heading(pdf: FPDF, doc: PrintableDeclaration) -> None:
    """National motto with its rule, then the title, the reference and the addressee."""
    _para(pdf, doc.nation, size=12, style="B", align=Align.C)
    _para(pdf, doc.motto, size=12, style="B", align=Align.C)
    rule = pdf.get_string_width(doc.motto)
    y = pdf.get_y() + 0.8
    pdf.line(pdf.l_margin + (pdf.epw - rule) / 2, y, pdf.l_margin + (pdf.epw + rule) / 2, y)
    pdf.ln(9)
    _para(pdf, doc.title, size=14, style="B", align=Align.C)
    _para(pdf, doc.subtitle, size=11, align=Align.C)
    pdf.ln(1)
    _para(pdf, doc.ref_line, size=9, align=Align.C)
    pdf.ln(5)
    _para(pdf, doc.addressee, size=11, style="B", align=Align.C)
    pdf.ln(2)


def _signature(pdf: FPDF, doc: PrintableDeclaration) -> None:
    """Place and date, who signs and how, in the right half, kept on one page."""
    _ensure_space(pdf, 8 + LINE_H * 3 + SIGN_SPACE)
    pdf.ln(8)
    half = pdf.epw / 2
    for text, style in ((doc.place_date, ""), (doc.signer, "B"), (doc.sign_hint, "")):
        pdf.set_font(FAMILY, style, BODY_SIZE + 1)
        pdf.set_x(pdf.l_margin + half)
        pdf.multi_cell(half, LINE_H + 0.5, text, align=Align.C, new_x=XPos.LMARGIN)
    pdf.ln(SIGN_SPACE)


def render_declaration_pdf(doc: PrintableDeclaration) -> bytes:
    """Lay out the whole form once; fpdf2 fills in the page total when it writes the file."""
    pdf = _new_pdf(doc)
    _heading(pdf, pdf.doc)
    for title, rows in pdf.doc.sections:
        _section(pdf, title, rows)
    _signature(pdf, pdf.doc)
    return bytes(pdf.output())


def write_pdf(data: bytes, path: Path) -> Path:
    """Write atomically with mode 0o600 from the start, since the file holds sensitive answers."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
