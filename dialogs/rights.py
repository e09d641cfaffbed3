"""Rights and procedures as a browsable tree of short texts, kept as data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dialogs import buttons as B
from dialogs.schema import FlowError

OFFERS = {
    "talk": ("menu.talk", B.TALK),
    "erase": ("menu.erase", B.ERASE),
    "find": ("menu.find", B.FIND),
    "declare": ("menu.declare", B.DECLARE),
}
"""Buttons a page may show, by name, so "press “Talk to a caseworker”" has the button beside it."""


@dataclass(frozen=True)
class Topic:
    """One page: a title for its button, a body, and sub-pages."""

    id: str
    title: str
    body: str
    parent: str | None
    children: tuple[str, ...]
    offers: tuple[tuple[str, str], ...] = ()
    """(label message id, payload) of the buttons its body tells the reader to press."""


@dataclass(frozen=True)
class RightsGuide:
    """All topics by id; `roots` is the first page's list."""

    intro: str
    roots: tuple[str, ...]
    topics: dict[str, Topic]

    def message_ids(self) -> Iterator[str]:
        """Every message id the guide uses."""
        yield self.intro
        for topic in self.topics.values():
            yield topic.title
            yield topic.body


def _walk(raw: list[Any], parent: str | None, out: dict[str, Topic], where: str) -> list[str]:
    """Flatten nested topic lists, refusing duplicate ids."""
    ids = []
    for item in raw:
        tid = str(item["id"])
        if tid in out:
            raise FlowError(f"{where}, topic {tid!r}: duplicate id")
        if len(f"rt:{tid}".encode()) > 64:
            raise FlowError(f"{where}, topic {tid!r}: id too long for a button")
        kids = item.get("children", [])
        unknown = set(item.get("offers", ())) - OFFERS.keys()
        if unknown:
            raise FlowError(f"{where}, topic {tid!r}: unknown offers {sorted(unknown)}")
        offers = tuple(OFFERS[name] for name in item.get("offers", ()))
        out[tid] = Topic(tid, item["title"], item["body"], parent, ())
        child_ids = _walk(kids, tid, out, where)
        out[tid] = Topic(tid, item["title"], item["body"], parent, tuple(child_ids), offers)
        ids.append(tid)
    return ids


def load_rights(
    path: Path | None = None, known: Callable[[str], bool] | None = None
) -> RightsGuide:
    """Read and check the guide."""
    source = path or Path(str(resources.files("dialogs") / "data" / "rights.yaml"))
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    topics: dict[str, Topic] = {}
    roots = _walk(raw["topics"], None, topics, str(source))
    guide = RightsGuide(str(raw["intro"]), tuple(roots), topics)
    if known is not None:
        for msgid in guide.message_ids():
            if not known(msgid):
                raise FlowError(f"{source}: unknown message id {msgid!r}")
    return guide
