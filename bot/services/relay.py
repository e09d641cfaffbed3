"""While a case is open, what the person sends joins the case, for the caseworker to read."""

from __future__ import annotations

from bot.services.bus import MESSAGE_IN
from bot.services.unit import Unit
from db.media import MediaStore
from db.models import CASE_ACTIVE, CASE_WAITING_PERSON, Message
from dialogs.events import Inbound, Kind
from dialogs.state import Screen, State
from dialogs.text import clean

ANSWERING = (Screen.STEP, Screen.REVIEW, Screen.REVIEW_PART)


async def relay_to_case(unit: Unit, event: Inbound, state: State) -> None:
    """Store the person's text, location or media on their open case, and note the change.

    Declaration answers stay in the declaration alone; button presses are navigation.
    A case waiting for the person becomes active again when they write.
    """
    case = unit.case
    if case is None or event.kind in (Kind.SYSTEM, Kind.BUTTON, Kind.COMMAND):
        return
    if state.screen in ANSWERING and not getattr(state, "case", None):
        return
    body, kind, media_id = clean(event.text), "text", None
    if event.kind is Kind.LOCATION and event.location:
        body = "📍 {:.5f}, {:.5f}".format(*event.location)
    elif event.kind is Kind.CONTACT:
        body = f"☎ {body}"
    elif event.kind is Kind.MEDIA:
        kind = str(event.data.get("media") or "file")
        if event.attachment is not None:
            mime = str(event.data.get("mime") or "application/octet-stream")
            stored = await MediaStore(unit.session).add(
                unit.contact.id, kind, mime, event.attachment, unit.now
            )
            media_id = stored.id
    if not body and media_id is None and event.kind is not Kind.MEDIA:
        return
    unit.session.add(
        Message(
            contact_id=unit.contact.id, direction="in", body=body, created_at=unit.now,
            case_id=case.id, kind=kind, media_id=media_id,
        )
    )  # fmt: skip
    if case.status == CASE_WAITING_PERSON:
        case.status = CASE_ACTIVE
    case.updated_at = unit.now
    unit.changed(MESSAGE_IN, case)
