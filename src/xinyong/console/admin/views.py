"""Staff console (管理后台), 系统管理: pages (``router``) and their JSON twins (``api``).

The routes live by task: ``lookup_views`` (主体查询, the staff view of a file, 待核验), ``accounts_views``
(departments, accounts, API tokens, the hub) and ``catalog_views`` (目录版本); both routers here gather
them, and ``xinyong.app`` mounts these two.
"""

from __future__ import annotations

from fastapi import APIRouter

from xinyong.console.admin import accounts_views, catalog_views, lookup_views

router = APIRouter(include_in_schema=False)
api = APIRouter()

for _part in (lookup_views, accounts_views, catalog_views):
    router.include_router(_part.router)
    api.include_router(_part.api)
