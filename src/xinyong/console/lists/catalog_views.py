"""Pages and JSON: the four lists (scope items and measures) for the credit office and the public."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["四张清单"])
