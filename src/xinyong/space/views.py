"""Subject space (我的信用) and the agency's grants: the pages (``router``) and their JSON twins (``api``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["我的信用"])
