"""Console part: live."""

from __future__ import annotations

from fastapi import APIRouter


def live_router() -> APIRouter:
    """Routes of this part."""
    return APIRouter()
