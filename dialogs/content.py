"""Everything the engine says, loaded and checked together at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dialogs.danger import DangerWords
from dialogs.i18n import Catalogs
from dialogs.rights import RightsGuide, load_rights
from dialogs.schema import Flow, load_flow

DECLARATION = "self_declaration"


def flows_dir() -> Path:
    """Where the shipped flow files are."""
    return Path(str(resources.files("dialogs") / "flows"))


@dataclass(frozen=True)
class Content:
    """The declaration flow, the rights guide, the danger words and the catalogs."""

    catalogs: Catalogs
    declaration: Flow
    rights: RightsGuide
    danger: DangerWords

    @classmethod
    def load(cls, catalogs: Catalogs | None = None) -> Content:
        """Load and cross-check everything; a mistake fails here, not in a conversation."""
        cats = catalogs or Catalogs()
        return cls(
            catalogs=cats,
            declaration=load_flow(flows_dir() / f"{DECLARATION}.yaml", cats.known),
            rights=load_rights(known=cats.known),
            danger=DangerWords.load(),
        )
