"""红黑名单 JSON API and pages: proposals, transitions, objections on entries, public lists."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["红黑名单"])
