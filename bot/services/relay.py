"""While a case is open, what the person sends joins the case, for the caseworker to read."""

from __future__ import annotations

from bot.services.bus import MESSAGE_IN
from bot.services.unit import Unit
from db.media import KINDS, MediaStore, TooLarge
from db.models import CASE_ACTIVE, CASE_WAITING_PERSON, Message
from dialogs.events import Inbound, Kind
from dialogs.text import clean


async def relay_to_case(unit: Unit, event: Inbound, meant: bool) -> None:
    """Store the person's text, location or media on their open case, and note the change.

    meant is the engine's word (Outcome.relay) that the event is for the caseworker: not
    "menu", not a declaration answer, not a button. A case waiting for the person becomes
    active again when they write.
    """
    case = unit.case
    if case is None or not meant or event.kind in (Kind.SYSTEM, Kind.BUTTON):
        return
    body, kind, media_id = clean(event.text), "text", None
    if event.kind is Kind.LOCATION and event.location:
        body = "📍 {:.5f}, {:.5f}".format(*event.location)
    elif event.kind is Kind.CONTACT:
        body = f"☎ {body}"
    elif event.kind is Kind.MEDIA:
        kind = str(event.data.get("media") or "file")
        kind = kind if kind in KINDS else "file"
        if event.attachment is not None:
            mime = str(event.data.get("mime") or "application/octet-stream")
            try:
                stored = await MediaStore(unit.session).add(
                    unit.contact.id, kind, mime, event.attachment, unit.now
                )
                media_id = stored.id
            except TooLarge:
                pass  # the channel checks the limit first; the message is kept without the file
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
