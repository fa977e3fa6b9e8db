"""Public pages: the red and black lists (红名单 / 黑名单)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])
