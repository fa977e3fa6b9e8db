"""Staff console (管理后台), 数据报送: pages (``router``) and their JSON twins (``api``).

The routes live by subject: ``collect`` (the items a department submits, their templates, the upload),
``batches`` (history, a batch's report, fixing rejected rows in the page) and ``quality`` (timeliness
and quality by month). Each page calls the same collection service as its JSON twin."""

from __future__ import annotations

from fastapi import APIRouter

from xinyong.console.collection import batches, collect, quality

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["数据报送"])

for _module in (collect, batches, quality):
    router.include_router(_module.pages)
for _module in (collect, quality):
    api.include_router(_module.api)
