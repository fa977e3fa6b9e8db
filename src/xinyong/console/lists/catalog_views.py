"""The four lists (四张清单) of the catalog version in force: the public page ``/catalog/lists``, the credit
office's page ``/console/list-catalog`` (the same lists with the version, who names what, the current
catalog file to download) and the JSON twins ``/api/v1/catalog/scopes`` and ``/api/v1/catalog/measures``.

The lists are public documents (seed 000: 清单向社会公开), so the public page and the JSON are
``public:read``. They are edited only by uploading a new catalog version (``/console/catalog``, or
``xinyong catalog import``): these pages read, they change nothing.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from xinyong.catalog import lists_service
from xinyong.catalog.lists import ListKind, MeasureKind, Scenario
from xinyong.catalog.service import current_version, export_catalog
from xinyong.kit.errors import NotFound
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.render import render
from xinyong.web import get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["四张清单"])


# --------------------------------------------------------------------------- JSON


@api.get("/catalog/scopes", summary="名单范围清单（诚信典型、严重失信主体）：现行目录版本，公开")
def scopes(
    list_kind: ListKind | None = Query(None, description="red 诚信典型名单 / black 严重失信主体名单"),
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
) -> lists_service.ScopesOut:
    return lists_service.published_scopes(session, list_kind=list_kind)


@api.get("/catalog/measures", summary="守信激励与失信惩戒措施清单：现行目录版本，公开")
def measures(
    kind: MeasureKind | None = Query(None, description="incentive 守信激励 / punishment 失信惩戒"),
    scenario: Scenario | None = Query(None, description="适用场景，如 government_procurement 政府采购"),
    list_kind: ListKind | None = Query(None, description="由该名单的列入触发的措施"),
    _: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
) -> lists_service.MeasuresOut:
    return lists_service.published_measures(session, kind=kind, scenario=scenario, list_kind=list_kind)


# --------------------------------------------------------------------------- pages


def _lists_or_none(session: Session) -> lists_service.ListsOut | None:
    try:
        return lists_service.published_lists(session)
    except NotFound:
        return None


@router.get("/catalog/lists", response_class=HTMLResponse)
def public_lists(
    request: Request,
    principal: Principal = Depends(authorize(Scope.public_read)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """四张清单, public: the twin of the two JSON routes."""
    found = _lists_or_none(session)
    return render(request, "portal/catalog_lists.html", principal, lists=found)


@router.get("/console/list-catalog", response_class=HTMLResponse)
def office_lists(
    request: Request,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    """清单管理 for the credit office: the lists in force, who names what, where they are edited."""
    found = _lists_or_none(session)
    version = current_version(session) if found is not None else None
    return render(request, "console/list_catalog.html", principal, lists=found, version=version)


@router.get("/console/list-catalog/catalog.yaml")
def download_catalog(
    _: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> Response:
    """The current catalog file as imported (items and the four lists): edit it, then upload it as a new
    version at /console/catalog."""
    label = re.sub(r"[^A-Za-z0-9._-]", "_", current_version(session).version)
    return Response(
        export_catalog(session),
        media_type="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="catalog-{label}.yaml"'},
    )
