"""Gettext catalogs read straight from the .po files, with Babel formats per locale."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def N_(msgid: str) -> str:
    """Marks a message id for extraction where it is translated later, e.g. in a variable."""
    return msgid


def locales_dir() -> Path:
    """Where the project's catalogs live, installed or checked out."""
    return Path(str(resources.files("locales")))


def load_po(path: Path) -> dict[str, str]:
    """Read one catalog; fuzzy and empty entries count as missing, as gettext would."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    out: dict[str, str] = {}
    for msg in catalog:
        msgid, text = msg.id, msg.string
        if isinstance(msgid, str) and isinstance(text, str) and msgid and text and not msg.fuzzy:
            out[msgid] = text
    return out


@dataclass(frozen=True)
class Translator:
    """Turns a message id into the text for one language; format params by name."""

    lang: str
    messages: dict[str, str]
    fallback: dict[str, str]

    def __call__(self, msgid: str, /, **params: object) -> str:
        """Look up and format; a missing id shows itself so it is noticed, never crashes."""
        text = self.messages.get(msgid) or self.fallback.get(msgid)
        if text is None:
            log.error("missing translation for %r (%s)", msgid, self.lang)
            return msgid
        return text.format(**params) if params else text


class Catalogs:
    """All languages' messages, loaded once per process."""

    def __init__(self, directory: Path | None = None, langs: Iterable[str] = LANGUAGES) -> None:
        base = directory or locales_dir()
        self._messages = {
            lang: load_po(base / lang / "LC_MESSAGES" / "messages.po") for lang in langs
        }

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages that have a catalog."""
        return tuple(self._messages)

    def known(self, msgid: str) -> bool:
        """True when the default language has this id: flows are checked against it."""
        return msgid in self._messages.get(DEFAULT_LANGUAGE, {})

    def translator(self, lang: str | None) -> Translator:
        """A translator for lang, falling back to Vietnamese for anything unknown."""
        code = lang if lang in self._messages else DEFAULT_LANGUAGE
        return Translator(code, self._messages[code], self._messages[DEFAULT_LANGUAGE])
