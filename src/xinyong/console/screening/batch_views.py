"""Pages and JSON: batch screening (自动比对): upload, progress, downloads."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["联合奖惩核查"])
