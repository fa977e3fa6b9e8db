"""Staff console (管理后台), 审计: pages (``router``) and their JSON twins (``api``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["审计"])
