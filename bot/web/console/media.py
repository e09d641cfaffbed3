"""Files people sent to a case (voice notes, photos), decrypted only for those who may see them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.services.access import can_see
from bot.web.console.access_check import audit
from bot.web.console.auth import SignedIn
from bot.web.console.state import console_of
from bot.web.console.views import playable
from db.case_reads import CaseReads

EXTENSIONS = {
    "audio/ogg": "ogg", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/aac": "aac",
    "audio/wav": "wav", "audio/webm": "webm", "image/jpeg": "jpg", "image/png": "png",
    "image/webp": "webp", "image/gif": "gif",
}  # fmt: skip


def media_router() -> APIRouter:
    """GET /console/media/<id>."""
    router = APIRouter()

    @router.get("/console/media/{media_id}")
    async def media(request: Request, media_id: int, actor: SignedIn) -> Response:
        """The file with its type when it is audio or a picture; anything else as a download.

        Refused (404, audited) unless the account may see a case whose history holds it.
        """
        app = console_of(request).app
        async with app.conversations.sessions() as session:
            reads = CaseReads(session)
            found = await reads.media(media_id)
            cases = await reads.cases_of_media(found) if found is not None else []
            allowed = [c for c in cases if can_see(actor, c)]
            data, mime = (found.data, found.mime) if found is not None and allowed else (b"", "")
        if not allowed:
            await audit(request, actor, "media_refused", None, detail=str(media_id))
            return Response("not found", status_code=404, media_type="text/plain")
        await audit(request, actor, "media_view", allowed[0].id, detail=str(media_id))
        inline = playable(mime)
        name = f"{media_id}.{EXTENSIONS.get(inline, 'bin')}"
        disposition = "inline" if inline else "attachment"
        return Response(
            data, media_type=inline or "application/octet-stream",
            headers={"Content-Disposition": f'{disposition}; filename="{name}"'},
        )  # fmt: skip

    return router
