"""Pages and JSON: feedback tasks (触发—响应—反馈) and feedback rates."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["联合奖惩反馈"])
