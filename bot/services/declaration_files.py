"""Printable copies of declarations: rendered from the encrypted record when asked for."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.services.declaration_pdf import PrintableDeclaration, render_declaration_pdf, write_pdf
from bot.services.refcode import PATTERN
from dialogs.content import Content
from dialogs.summary import sections

KEEP = timedelta(hours=24)


class DeclarationFiles:
    """Builds the PDF of a declaration, and keeps written copies in one private folder."""

    def __init__(self, content: Content, folder: Path, timezone: str) -> None:
        self.content, self.folder, self.tz = content, folder, ZoneInfo(timezone)

    def path_for(self, ref: str) -> Path:
        """Where a written copy of ref lives; refuses anything but a reference code."""
        if not PATTERN.match(ref):
            raise ValueError("not a reference code")
        return self.folder / f"{ref}.pdf"

    def render(self, ref: str, answers: dict[str, object], lang: str, created: datetime) -> bytes:
        """The printable form in the person's language."""
        t = self.content.catalogs.translator(lang)
        flow = self.content.declaration
        local = created.astimezone(self.tz)
        doc = PrintableDeclaration(
            lang=t.lang,
            title=t(flow.title),
            ref_label=t("pdf.ref_label"),
            ref=ref,
            generated=t("pdf.generated", when=format_datetime(local, "short", locale=t.lang)),
            sections=sections(flow, answers, {"today": local.date()}, t),
            notes=[t("pdf.next_steps"), t("pdf.hotlines")],
            signature_lines=[t("pdf.signature_place_date"), t("pdf.signature_declarant")],
            page_label=t("pdf.page"),
        )
        return render_declaration_pdf(doc)

    def write(self, ref: str, data: bytes) -> Path:
        """Write a copy (mode 600) for a channel that hands over a path, like the terminal."""
        return write_pdf(data, self.path_for(ref))

    def remove(self, ref: str) -> None:
        """Delete a written copy, if there is one: part of erasing."""
        self.path_for(ref).unlink(missing_ok=True)

    def prune(self, now: datetime, keep: timedelta = KEEP) -> int:
        """Delete written copies older than keep: a printout is made the same day."""
        removed = 0
        for path in self.folder.glob("*.pdf") if self.folder.is_dir() else ():
            written = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
            if now - written > keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
