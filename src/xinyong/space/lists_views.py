"""Pages and JSON for a subject's own list entries: see them, object to one."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])
