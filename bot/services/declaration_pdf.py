"""Printable self-declaration PDF that a returnee brings to the commune People's Committee."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, TableCellFillMode, VAlign, XPos, YPos
from fpdf.fonts import TTFFont

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "DejaVu"
BODY_SIZE = 10
LINE_H = 5.0
LABEL_SHARE = 0.36
SIGN_SPACE = 24  # room for a handwritten signature and full name
MAX_ROW_LINES = 40  # a table row must fit on one page, so longer values are split
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class PrintableDeclaration:
    """Everything the printout shows, already localised by the caller."""

    lang: str
    title: str
    ref_label: str
    ref: str
    generated: str
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    notes: Sequence[str]
    signature_lines: Sequence[str]
    page_label: str


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
        **{f: c(getattr(doc, f)) for f in ("title", "ref_label", "ref", "generated", "page_label")},
        sections=[(c(t), [(c(k), c(v)) for k, v in rows]) for t, rows in doc.sections],
        notes=[c(n) for n in doc.notes],
        signature_lines=[c(s) for s in doc.signature_lines],
    )


class _DeclarationPDF(FPDF):
    """FPDF with a footer, so every loose printed page names its reference and number."""

    def __init__(self, doc: PrintableDeclaration, pages: int | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.doc = doc
        self._pages = "" if pages is None else str(pages)

    def footer(self) -> None:
        """Reference on the left, "page x/y" on the right, so pages can be put back together."""
        self.set_y(-14)
        self.set_font(FAMILY, size=8)
        label = self.doc.page_label.replace("{page}", str(self.page_no()))
        self.cell(self.epw / 2, 5, self.doc.ref, align=Align.L)
        self.cell(self.epw / 2, 5, label.replace("{pages}", self._pages), align=Align.R)


def _new_pdf(doc: PrintableDeclaration, pages: int | None) -> _DeclarationPDF:
    """Set up the page, fonts and neutral metadata (no author or creator that could identify)."""
    pdf = _DeclarationPDF(doc, pages)
    pdf.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    glyphs = set.intersection(*(set(cast(TTFFont, f).cmap) for f in pdf.fonts.values()))
    pdf.doc = doc = _cleaned(doc, glyphs)
    pdf.alias_nb_pages("")  # user text containing "{nb}" must print as typed
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_lang(doc.lang)
    pdf.set_title(doc.title)
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


def _row_chunks(pdf: FPDF, value: str, width: float) -> list[str]:
    """Split a value into pieces that each fit on a page, because fpdf2 table rows cannot break."""
    pdf.set_font(FAMILY, "", BODY_SIZE)
    out = MethodReturnValue.LINES
    lines = cast(list[str], pdf.multi_cell(width - 4, LINE_H, value, dry_run=True, output=out))
    if len(lines) <= MAX_ROW_LINES:
        return [value]
    return ["\n".join(lines[i : i + MAX_ROW_LINES]) for i in range(0, len(lines), MAX_ROW_LINES)]


def _section(pdf: FPDF, title: str, rows: Sequence[tuple[str, str]]) -> None:
    """Bold heading then a bordered label | value table whose rows wrap and paginate."""
    _ensure_space(pdf, 22)
    pdf.ln(3)
    _para(pdf, title, size=11, style="B")
    pdf.ln(1)
    if not rows:
        return
    widths = (pdf.epw * LABEL_SHARE, pdf.epw * (1 - LABEL_SHARE))
    pdf.set_font(FAMILY, "", BODY_SIZE)
    with pdf.table(
        col_widths=widths,
        first_row_as_headings=False,
        text_align=Align.L,
        v_align=VAlign.T,
        line_height=LINE_H,
        padding=(1.2, 1.5),
        cell_fill_mode=TableCellFillMode.NONE,
        width=pdf.epw,
    ) as table:
        for label, value in rows:
            for i, chunk in enumerate(_row_chunks(pdf, value, widths[1])):
                row = table.row()
                row.cell(label if i == 0 else "")
                row.cell(chunk)


def _signature(pdf: FPDF, lines: Sequence[str]) -> None:
    """Signature block in the right half, kept on one page with room to sign by hand."""
    _ensure_space(pdf, 6 + LINE_H * len(lines) + SIGN_SPACE)
    pdf.ln(6)
    pdf.set_font(FAMILY, "", BODY_SIZE)
    half = pdf.epw / 2
    for line in lines:
        pdf.set_x(pdf.l_margin + half)
        pdf.multi_cell(half, LINE_H, line, align=Align.C, new_x=XPos.LMARGIN)
    pdf.ln(SIGN_SPACE)


def _build(raw: PrintableDeclaration, pages: int | None) -> _DeclarationPDF:
    """Lay out the whole form; the footer shows `pages` as the total."""
    pdf = _new_pdf(raw, pages)
    doc = pdf.doc
    _para(pdf, doc.title, size=15, style="B", align=Align.C)
    pdf.ln(3)
    label, ref = doc.ref_label, doc.ref
    pdf.set_font(FAMILY, "B", 16)
    box_w = pdf.get_string_width(ref) + 10
    pdf.set_font(FAMILY, "", 10)
    label_w = pdf.get_string_width(label) + 4
    pdf.set_x(pdf.l_margin + (pdf.epw - label_w - box_w) / 2)
    pdf.cell(label_w, 10, label, align=Align.R)
    pdf.set_font(FAMILY, "B", 16)
    pdf.set_line_width(0.5)
    pdf.cell(box_w, 10, ref, border=1, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_line_width(0.2)
    pdf.ln(2)
    _para(pdf, doc.generated, size=9, align=Align.C)
    for title, rows in doc.sections:
        _section(pdf, title, rows)
    if doc.notes:
        pdf.ln(4)
    for note in doc.notes:
        _para(pdf, note, align=Align.L)
        pdf.ln(1.5)
    _signature(pdf, doc.signature_lines)
    return pdf


def render_declaration_pdf(doc: PrintableDeclaration) -> bytes:
    """Render a plain black-and-white A4 form; laid out twice to learn the page total."""
    draft = _build(doc, None)
    for font in draft.fonts.values():
        cast(TTFFont, font).close()  # output() would close them; the draft is never output
    return bytes(_build(doc, draft.pages_count).output())


def write_pdf(data: bytes, path: Path) -> Path:
    """Write atomically with mode 0o600 from the start, since the PDF holds sensitive answers."""
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
