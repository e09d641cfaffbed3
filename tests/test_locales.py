"""Every message id has a Vietnamese and an English text, with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from dialogs.i18n import load_po, locales_dir

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"t": None, "N_": None, "Invalid": None}


def extracted() -> set[str]:
    """Run the same extraction as `pybabel extract -F babel.cfg`."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message)
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture(scope="module")
def ids() -> set[str]:
    return extracted()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_message_has_a_text(ids: set[str], lang: str) -> None:
    texts = load_po(locales_dir() / lang / "LC_MESSAGES" / "messages.po")
    assert len(ids) > 200
    missing = sorted(ids - texts.keys())
    assert not missing, f"{lang} lacks: {missing}"


def test_placeholders_agree() -> None:
    vi = load_po(locales_dir() / "vi" / "LC_MESSAGES" / "messages.po")
    en = load_po(locales_dir() / "en" / "LC_MESSAGES" / "messages.po")
    differ = [k for k in vi if k in en and fields(vi[k]) != fields(en[k])]
    assert not differ


def test_the_obsolete_hotline_is_never_listed() -> None:
    for lang in ("vi", "en"):
        text = (locales_dir() / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        assert "18001567" not in text.replace(" ", "").replace(".", "")
