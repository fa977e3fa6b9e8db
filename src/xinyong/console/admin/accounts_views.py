"""系统管理: departments, accounts and API tokens, pages and their JSON twins (``/api/v1/admin/...``); each
pair calls one function of ``security.admin``.

A form that fails comes back with its error (the status of the error); one that succeeds redirects (303)
to its list. A token's secret is shown once: the redirect after issuing it carries it in a short-lived
signed cookie bound to the account that issued it, only for ``/console/tokens``, deleted by the page that
shows it; reloading the page shows it no more.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.console.admin.common import CONSOLE_PAGE, actor_of, done_message, form_body
from xinyong.kit.clock import Clock
from xinyong.kit.errors import DomainError
from xinyong.security import admin
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import ROLE_ZH, Role, Scope
from xinyong.ui.paging import Pager, offset_of
from xinyong.ui.render import render
from xinyong.web import Offset, RowId, get_clock, get_session, get_settings_dep

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/admin", tags=["系统管理"])

#: The one-time cookie that carries a new token's secret from the issuing POST to the page showing it.
SECRET_COOKIE = "xy_new_token"
SECRET_PATH = "/console/tokens"
SECRET_SECONDS = 120
MAX_PAGE = 10**9
#: A department code or user name in a path.
PATH_TEXT = 80


def _admin_scope() -> Any:
    return Depends(authorize(Scope.admin_manage))


# --------------------------------------------------------------------------- JSON twins


@api.get("/departments", summary="部门列表")
def list_departments(
    _: Principal = _admin_scope(), session: Session = Depends(get_session, scope="function")
) -> list[admin.DepartmentOut]:
    return admin.departments(session)


@api.post("/departments", status_code=201, summary="创建部门（校验行政区划，层级取区划的层级）")
def create_department(
    body: admin.DepartmentIn,
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> admin.DepartmentOut:
    return admin.add_department(session, body, actor=actor_of(principal), clock=clock)


@api.post("/departments/{dept_code}/status", summary="停用或启用部门（停用后其账户不能登录、令牌不能使用）")
def department_status(
    dept_code: str,
    body: admin.ActiveIn,
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> admin.DepartmentOut:
    return admin.department_active(
        session, dept_code[:PATH_TEXT], body.active, actor=actor_of(principal), clock=clock
    )


@api.get("/users", summary="账户列表")
def list_users(
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
    _: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
) -> admin.UsersPage:
    return admin.users(session, limit=limit, offset=offset)


@api.post("/users", status_code=201, summary="创建账户（部门工作人员或信用服务机构）")
def create_user(
    body: admin.UserIn,
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> admin.UserOut:
    return admin.add_user(session, body, actor=actor_of(principal), clock=clock)


@api.post("/users/{username}/status", summary="停用或启用账户（其登录结束、令牌吊销）")
def user_status(
    username: str,
    body: admin.ActiveIn,
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> admin.UserOut:
    return admin.user_active(
        session, username[:PATH_TEXT], body.active, actor=actor_of(principal), clock=clock
    )


@api.get("/tokens", summary="接口访问令牌列表（只显示前缀）")
def list_tokens(
    _: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> list[admin.TokenOut]:
    return admin.tokens(session, clock=clock)


@api.post("/tokens", status_code=201, summary="签发接口访问令牌（令牌只在此答复中出现一次）")
def issue_token(
    body: admin.TokenIn,
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> admin.IssuedTokenOut:
    return admin.issue(session, body, settings=settings, actor=actor_of(principal), clock=clock)


@api.post("/tokens/{token_id}/revocation", summary="吊销令牌，立即生效")
def revoke_token(
    token_id: RowId,
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> admin.TokenOut:
    return admin.revoke(session, token_id, actor=actor_of(principal), clock=clock)


# --------------------------------------------------------------------------- pages


@router.get("/console/admin", response_class=HTMLResponse)
def hub(request: Request, principal: Principal = _admin_scope()) -> HTMLResponse:
    """系统管理: where each task is."""
    return render(request, "console/admin/hub.html", principal)


def _departments_page(
    request: Request, principal: Principal, session: Session, *, done: str | None = None,
    error: str | None = None, status: int = 200, form: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    return render(
        request,
        "console/admin/departments.html",
        principal,
        status=status,
        departments=admin.departments(session),
        done=done_message(done),
        error=error,
        form=form or {},
    )


@router.get("/console/departments", response_class=HTMLResponse)
def departments_page(
    request: Request,
    done: str | None = Query(None, max_length=40),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    return _departments_page(request, principal, session, done=done)


@router.post("/console/departments", response_model=None)
def departments_create(
    request: Request,
    code: str = Form("", max_length=40),
    name: str = Form("", max_length=200),
    kind: str = Form("", max_length=40),
    region_code: str = Form("", max_length=6),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    body = admin.DepartmentIn(code=code, name=name, kind=kind, region_code=region_code)
    try:
        admin.add_department(session, body, actor=actor_of(principal), clock=clock)
    except DomainError as exc:
        session.rollback()
        form = body.model_dump()
        return _departments_page(request, principal, session, error=exc.message, status=exc.status, form=form)
    return RedirectResponse("/console/departments?done=dept-created", status_code=303)


@router.post("/console/departments/{dept_code}/status", response_model=None)
def departments_status(
    dept_code: str,
    active: bool = Form(...),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    admin.department_active(session, dept_code[:PATH_TEXT], active, actor=actor_of(principal), clock=clock)
    done = "dept-enabled" if active else "dept-disabled"
    return RedirectResponse(f"/console/departments?done={done}", status_code=303)


def _users_page(
    request: Request, principal: Principal, session: Session, *, page: int = 1, done: str | None = None,
    error: str | None = None, status: int = 200, form: dict[str, Any] | None = None,
) -> HTMLResponse:  # fmt: skip
    offset = offset_of(page, CONSOLE_PAGE)
    listing = admin.users(session, limit=CONSOLE_PAGE, offset=offset)
    return render(
        request,
        "console/admin/users.html",
        principal,
        status=status,
        listing=listing,
        pager=Pager(listing.total, CONSOLE_PAGE, offset, "/console/users"),
        dept_options=[(d.code, f"{d.code} {d.name}") for d in admin.departments(session) if d.active],
        roles=[(r.value, ROLE_ZH[r]) for r in admin.CONSOLE_ROLES],
        done=done_message(done),
        error=error,
        form=form or {},
    )


@router.get("/console/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    done: str | None = Query(None, max_length=40),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
) -> HTMLResponse:
    return _users_page(request, principal, session, page=page, done=done)


@router.post("/console/users", response_model=None)
def users_create(
    request: Request,
    username: str = Form("", max_length=80),
    display_name: str = Form("", max_length=200),
    roles: list[str] = Form([]),
    department_code: str = Form("", max_length=40),
    password: str = Form("", max_length=200),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    form = {
        "username": username,
        "display_name": display_name,
        "roles": roles,
        "department_code": department_code,
    }
    try:
        wanted = [Role(r) for r in roles if r in {c.value for c in admin.CONSOLE_ROLES}]
        body = form_body(admin.UserIn, {
            "username": username, "display_name": display_name, "roles": wanted,
            "department_code": department_code or None, "password": password or None,
        })  # fmt: skip
        admin.add_user(session, body, actor=actor_of(principal), clock=clock)
    except DomainError as exc:
        session.rollback()
        return _users_page(request, principal, session, error=exc.message, status=exc.status, form=form)
    return RedirectResponse("/console/users?done=user-created", status_code=303)


@router.post("/console/users/{username}/status", response_model=None)
def users_status(
    username: str,
    active: bool = Form(...),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    admin.user_active(session, username[:PATH_TEXT], active, actor=actor_of(principal), clock=clock)
    done = "user-enabled" if active else "user-disabled"
    return RedirectResponse(f"/console/users?done={done}", status_code=303)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.session_secret, salt="xinyong-new-token")


def _new_secret(request: Request, principal: Principal, settings: Settings) -> dict[str, Any] | None:
    """The token just issued by this account in this browser, if any (the cookie is then deleted)."""
    value = request.cookies.get(SECRET_COOKIE)
    if not value:
        return None
    try:
        data = _serializer(settings).loads(value, max_age=SECRET_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("uid") != principal.user_id:
        return None
    return data


def _tokens_page(
    request: Request, principal: Principal, session: Session, clock: Clock, *, context: dict[str, Any]
) -> HTMLResponse:
    return render(
        request,
        "console/admin/tokens.html",
        principal,
        status=context.pop("status", 200),
        tokens=admin.tokens(session, clock=clock),
        scopes=[(s.value, s.value) for s in Scope if s is not Scope.public_read],
        **{"new": None, "done": None, "error": None, "form": {}, **context},
    )


@router.get("/console/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request,
    done: str | None = Query(None, max_length=40),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> HTMLResponse:
    new = _new_secret(request, principal, settings)
    page = _tokens_page(request, principal, session, clock, context={"new": new, "done": done_message(done)})
    if request.cookies.get(SECRET_COOKIE):
        page.delete_cookie(SECRET_COOKIE, path=SECRET_PATH)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.post("/console/tokens", response_model=None)
def tokens_issue(
    request: Request,
    username: str = Form("", max_length=80),
    name: str = Form("", max_length=100),
    days: int = Form(90, ge=1, le=3650),
    scopes: list[str] = Form([]),
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    settings: Settings = Depends(get_settings_dep),
    clock: Clock = Depends(get_clock),
) -> Response:
    form = {"username": username, "name": name, "days": days, "scopes": scopes}
    try:
        wanted = [Scope(s) for s in scopes if s in {c.value for c in Scope}]
        values = {"username": username, "name": name, "scopes": wanted or None, "days": days}
        body = form_body(admin.TokenIn, values)
        issued = admin.issue(session, body, settings=settings, actor=actor_of(principal), clock=clock)
    except DomainError as exc:
        session.rollback()
        context = {"error": exc.message, "status": exc.status, "form": form}
        return _tokens_page(request, principal, session, clock, context=context)
    payload = {"uid": principal.user_id, "id": issued.record.id, "token": issued.token}
    response = RedirectResponse("/console/tokens", status_code=303)
    response.set_cookie(
        SECRET_COOKIE,
        _serializer(settings).dumps(payload),
        max_age=SECRET_SECONDS,
        path=SECRET_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
    )
    return response


@router.post("/console/tokens/{token_id}/revocation", response_model=None)
def tokens_revoke(
    token_id: RowId,
    principal: Principal = _admin_scope(),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> Response:
    admin.revoke(session, token_id, actor=actor_of(principal), clock=clock)
    return RedirectResponse("/console/tokens?done=token-revoked", status_code=303)
