"""Who may see and act on which case: one rule, used by every console page and action."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import HandoffRequest

SEES_ALL = frozenset({"supervisor", "admin"})


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in console account, as the services need it (and the audit log records it)."""

    id: int
    username: str
    role: str
    team: str
    address: str = ""
    locale: str = "vi"

    @property
    def sees_all(self) -> bool:
        """Supervisors and admins see every team's cases; caseworkers only their own team's."""
        return self.role in SEES_ALL


class NotAllowed(Exception):
    """The account may not see or change this case (another team's): refused and audited."""


def can_see(actor: Actor, case: HandoffRequest) -> bool:
    """A caseworker sees their team's cases and the ones assigned to them."""
    return actor.sees_all or case.team == actor.team or case.assignee_id == actor.id
