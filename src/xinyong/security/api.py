"""JSON routes of the security core: one's own account, the query log, a subject's authorisations.

A subject's credit file itself (``/me/file``, the agency's read) is served by ``xinyong.files.api``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.kit.clock import Clock
from xinyong.security import service
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import Purpose, Scope
from xinyong.security.schemas import AuthorisationIn, AuthorisationOut, LogFilter, MeOut, QueryLogPage
from xinyong.web import Offset, RequestDate, RowId, get_clock, get_session, get_settings_dep

router = APIRouter(prefix="/api/v1", tags=["账户与查询登记"])


@router.get("/me", summary="当前账户：角色、权限与数据范围")
def me(
    principal: Principal = Depends(authorize(Scope.account_self)),
    session: Session = Depends(get_session, scope="function"),
) -> MeOut:
    return service.account(session, principal)


@router.get("/me/query-log", summary="哪些部门、机构因何查询过本主体的信用档案")
def my_query_log(
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> QueryLogPage:
    return service.own_query_log(session, principal, limit=limit, offset=offset)


@router.get("/audit/query-log", summary="查询使用登记检索（审计员）")
def search_query_log(
    principal: Principal = Depends(authorize(Scope.querylog_read)),
    session: Session = Depends(get_session, scope="function"),
    subject_id: RowId | None = None,
    username: str | None = None,
    department_id: RowId | None = None,
    allowed: bool | None = None,
    purpose: Purpose | None = Query(None, description="查询用途"),
    since: RequestDate | None = None,
    until: RequestDate | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: Offset = 0,
) -> QueryLogPage:
    f = LogFilter(subject_id, username, department_id, allowed, since, until, purpose)
    return service.search_query_log(session, f, limit=limit, offset=offset)


@router.get("/me/authorisations", summary="本主体给予信用服务机构的查询授权")
def my_authorisations(
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> list[AuthorisationOut]:
    return service.own_authorisations(session, principal, today=clock.today())


@router.post("/me/authorisations", status_code=201, summary="授权信用服务机构查询（一个用途、有限期限）")
def grant_authorisation(
    body: AuthorisationIn,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings_dep),
) -> AuthorisationOut:
    return service.grant_authorisation(session, principal, body, settings=settings, clock=clock)


@router.delete("/me/authorisations/{authorisation_id}", summary="撤回查询授权")
def revoke_authorisation(
    authorisation_id: RowId,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session, scope="function"),
    clock: Clock = Depends(get_clock),
) -> AuthorisationOut:
    return service.revoke_authorisation(session, principal, authorisation_id, clock=clock)
