"""JSON twins of the portal's notice pages: the policies and notices an office publishes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from xinyong.config import Settings
from xinyong.portal.notices import NoticeOut, NoticesOut, get_notice, list_notices
from xinyong.security.auth import authorize
from xinyong.security.roles import Scope
from xinyong.web import get_settings_dep

router = APIRouter(prefix="/api/v1", tags=["政策公告"])

#: A notice's address: its file name without ``.md``.
Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$", description="公告名（文件名，不含 .md）")]


@router.get(
    "/notices", dependencies=[Depends(authorize(Scope.public_read))], summary="政策公告列表（新的在前）"
)
def notices(settings: Settings = Depends(get_settings_dep)) -> NoticesOut:
    return list_notices(settings.data_dir)


@router.get("/notices/{slug}", dependencies=[Depends(authorize(Scope.public_read))], summary="一篇政策公告")
def notice(slug: Slug, settings: Settings = Depends(get_settings_dep)) -> NoticeOut:
    return get_notice(settings.data_dir, slug)
