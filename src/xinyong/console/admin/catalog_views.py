"""目录版本: upload a catalog file, see its errors or what it changes, make a version current; pages and
their JSON twins (``/api/v1/admin/catalog/...``), each pair over one function of ``catalog.versions``.

The page's upload checks the file (``check``); a valid one is stored as a version that is not current yet
(``stage``) and the page redirects to it, where the changes against the current version are shown and
it can be made current (``make_current``). An invalid one comes back with its errors.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from xinyong.catalog import versions
from xinyong.console.admin.common import actor_of, done_message
from xinyong.kit.clock import Clock
from xinyong.kit.errors import DomainError
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Scope
from xinyong.ui.render import render
from xinyong.web import RowId, get_clock, get_session

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/admin/catalog", tags=["系统管理"])

FILE_HELP = "目录文件（YAML，UTF-8）"


def _text(file: UploadFile) -> str:
    return versions.decode_upload(file.file.read(versions.MAX_CATALOG_BYTES + 1))


# --------------------------------------------------------------------------- JSON twins


@api.get("/versions", summary="目录版本列表（最新在前）")
def list_versions(
    _: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> list[versions.VersionOut]:
    return versions.versions(session)


@api.post("/check", summary="校验目录文件（不保存）：错误逐项列出，有效时给出与当前版本的差异")
def check_catalog(
    file: UploadFile = File(..., description=FILE_HELP),
    _: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> versions.CheckOut:
    return versions.check(session, _text(file))


@api.post("/versions", status_code=201, summary="上传目录文件为新版本（暂不生效），返回与当前版本的差异")
def upload_version(
    file: UploadFile = File(..., description=FILE_HELP),
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> versions.VersionDetailOut:
    return versions.stage(session, _text(file), actor=actor_of(principal), clock=clock)


@api.get("/versions/{version_id}", summary="一个目录版本及其与当前版本的差异")
def version_detail(
    version_id: RowId,
    _: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> versions.VersionDetailOut:
    return versions.detail(session, version_id)


@api.post("/versions/{version_id}/current", summary="设为当前目录版本（此后报送按该版本校验）")
def make_current(
    version_id: RowId,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> versions.VersionOut:
    return versions.make_current(session, version_id, actor=actor_of(principal), clock=clock)


# --------------------------------------------------------------------------- pages


def _catalog_page(
    request: Request,
    principal: Principal,
    session: Session,
    *,
    done: str | None = None,
    checked: versions.CheckOut | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "console/admin/catalog.html",
        principal,
        status=status,
        versions=versions.versions(session),
        done=done_message(done),
        checked=checked,
        error=error,
    )


@router.get("/console/catalog", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    done: str | None = Query(None, max_length=40),
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    return _catalog_page(request, principal, session, done=done)


@router.post("/console/catalog", response_model=None)
def catalog_upload(
    request: Request,
    file: UploadFile = File(...),
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    """Check the file; invalid, show its errors; valid, store it (not current) and show its changes."""
    try:
        text = _text(file)
        checked = versions.check(session, text)
        if not checked.valid:
            return _catalog_page(request, principal, session, checked=checked, status=422)
        staged = versions.stage(session, text, actor=actor_of(principal), clock=clock)
    except DomainError as exc:
        session.rollback()
        return _catalog_page(request, principal, session, error=exc.message, status=exc.status)
    return RedirectResponse(f"/console/catalog/{staged.version.id}", status_code=303)


@router.get("/console/catalog/{version_id}", response_class=HTMLResponse)
def version_page(
    request: Request,
    version_id: RowId,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    found = versions.detail(session, version_id)
    return render(request, "console/admin/catalog_version.html", principal, detail=found)


@router.post("/console/catalog/{version_id}/current", response_model=None)
def version_make_current(
    version_id: RowId,
    principal: Principal = Depends(authorize(Scope.admin_manage)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    versions.make_current(session, version_id, actor=actor_of(principal), clock=clock)
    return RedirectResponse("/console/catalog?done=catalog-current", status_code=303)
