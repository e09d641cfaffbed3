"""Console part: media."""

from __future__ import annotations

from fastapi import APIRouter


def media_router() -> APIRouter:
    """Routes of this part."""
    return APIRouter()
