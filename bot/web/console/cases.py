"""Console part: cases."""

from __future__ import annotations

from fastapi import APIRouter


def cases_router() -> APIRouter:
    """Routes of this part."""
    return APIRouter()
