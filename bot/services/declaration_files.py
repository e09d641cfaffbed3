"""Printable copies of declarations: rendered once, kept encrypted until sent, then removed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import InvalidToken

from bot.services.declaration_doc import OFFICIAL, printable, province_name
from bot.services.declaration_pdf import render_declaration_pdf, write_pdf
from bot.services.refcode import PATTERN
from db.crypto import get_cipher
from dialogs.content import Content

KEEP = timedelta(hours=24)
SEALED = ".sealed"
"""Suffix of an encrypted copy waiting to be sent."""


def filename(ref: str, lang: str) -> str:
    """What the person sees: the code, and the language of a reading copy."""
    return f"{ref}.pdf" if lang == OFFICIAL else f"{ref}-{lang}.pdf"


class DeclarationFiles:
    """Renders the PDFs of a declaration and keeps them in one private folder."""

    def __init__(self, content: Content, folder: Path, timezone: str, province: str) -> None:
        self.content, self.folder, self.tz = content, folder, ZoneInfo(timezone)
        self.place = province_name(province)

    def copies(self, lang: str) -> list[str]:
        """The Vietnamese copy to file, and a reading copy in the person's own language."""
        known = self.content.catalogs.languages
        return [OFFICIAL, *([lang] if lang != OFFICIAL and lang in known else [])]

    def _dir(self, ref: str) -> Path:
        """The folder, for files of ref; refuses anything but a reference code."""
        if not PATTERN.match(ref):
            raise ValueError("not a reference code")
        return self.folder

    def _sealed(self, ref: str, lang: str) -> Path:
        """Where the encrypted copy of ref in lang waits to be sent."""
        return self._dir(ref) / f"{ref}.{lang}{SEALED}"

    def render(self, ref: str, answers: dict[str, object], lang: str, created: datetime) -> bytes:
        """The form to file (lang "vi") or a reading copy marked as such (any other lang)."""
        t = self.content.catalogs.translator(lang)
        local = created.astimezone(self.tz)
        doc = printable(self.content.declaration, t, ref, answers, local, self.place)
        return render_declaration_pdf(doc)

    def prepare(self, ref: str, answers: dict[str, object], lang: str, created: datetime) -> bytes:
        """Render and keep an encrypted copy until it is sent; returns the PDF."""
        data = self.render(ref, answers, lang, created)
        write_pdf(get_cipher().encrypt(data), self._sealed(ref, lang))
        return data

    def load(self, ref: str, lang: str) -> bytes | None:
        """The kept copy, or None when there is none (never made, sent, expired, or unreadable)."""
        try:
            return get_cipher().decrypt(self._sealed(ref, lang).read_bytes())
        except (FileNotFoundError, InvalidToken):
            return None

    def sent(self, ref: str, lang: str) -> None:
        """The copy reached the person: it is not kept any longer."""
        self._sealed(ref, lang).unlink(missing_ok=True)

    def write(self, ref: str, data: bytes, lang: str = OFFICIAL) -> Path:
        """A readable copy (mode 600) for a channel that hands over a path, like the terminal."""
        return write_pdf(data, self._dir(ref) / filename(ref, lang))

    def remove(self, ref: str) -> None:
        """Delete every copy of ref, kept or written: part of erasing."""
        folder = self._dir(ref)
        for path in folder.glob(f"{ref}[.-]*") if folder.is_dir() else ():
            path.unlink(missing_ok=True)

    def prune(self, now: datetime, keep: timedelta = KEEP) -> int:
        """Delete copies older than keep: a printout is made the same day."""
        removed = 0
        for path in self.folder.iterdir() if self.folder.is_dir() else ():
            if path.suffix not in (".pdf", SEALED) or not path.is_file():
                continue
            written = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
            if now - written > keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
