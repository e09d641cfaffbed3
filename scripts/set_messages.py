"""Set or replace message texts in the catalogs from a YAML file: {msgid: {vi: ..., en: ...}}."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import yaml
from babel.messages.pofile import read_po, write_po


def main(source: str) -> None:
    """Write each given text into locales/<lang>/LC_MESSAGES/messages.po."""
    texts = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    for lang in ("vi", "en"):
        path = Path("locales") / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for msgid, by_lang in texts.items():
            message = catalog.get(msgid)
            if message is None:
                raise SystemExit(f"{msgid} is not in {path}: extract and update first")
            message.string = unicodedata.normalize("NFC", by_lang[lang].rstrip("\n"))
            message.flags.discard("fuzzy")
        with path.open("wb") as fh:
            write_po(fh, catalog, width=80, omit_header=False)


if __name__ == "__main__":
    main(sys.argv[1])
