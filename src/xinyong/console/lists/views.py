"""Pages: list proposals through their lifecycle (console) and their JSON twins."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])
