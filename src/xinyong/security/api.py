"""JSON routes of the security core: one's own account and file, query log, authorisations, agency reads."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.kit.clock import Clock
from xinyong.kit.crypto import PersonalDataCipher
from xinyong.kit.errors import Forbidden
from xinyong.models import Authorisation, QueryLogEntry, Subject, User
from xinyong.security import grants, querylog
from xinyong.security.auth import Principal, authorize
from xinyong.security.roles import ROLE_ZH, Purpose, Scope
from xinyong.subjects.files import FileOut, View, credit_file
from xinyong.web import get_cipher, get_clock, get_session, get_settings_dep

router = APIRouter(prefix="/api/v1", tags=["账户与查询登记"])


class MeOut(BaseModel):
    username: str
    display_name: str | None
    kind: str | None
    roles: list[str]
    roles_zh: list[str]
    scopes: list[str]
    department_id: int | None
    region_code: str | None
    subject_id: int | None
    via: str


@router.get("/me", summary="当前账户：角色、权限与数据范围")
def me(
    principal: Principal = Depends(authorize(Scope.account_self)), session: Session = Depends(get_session)
) -> MeOut:
    user = session.get(User, principal.user_id) if principal.user_id else None
    return MeOut(
        username=principal.username,
        display_name=user.display_name if user else None,
        kind=principal.kind.value if principal.kind else None,
        roles=sorted(r.value for r in principal.roles),
        roles_zh=[ROLE_ZH[r] for r in sorted(principal.roles)],
        scopes=sorted(s.value for s in principal.scopes),
        department_id=principal.department_id,
        region_code=principal.region_code,
        subject_id=principal.subject_id,
        via=principal.via,
    )


def _own_subject(session: Session, principal: Principal) -> Subject:
    subject = session.get(Subject, principal.subject_id) if principal.subject_id else None
    if subject is None:
        raise Forbidden("此账户未关联信用主体", code="ACCOUNT_NOT_SUBJECT")
    return subject


@router.get("/me/file", summary="本主体的完整信用档案（本人查询，登记在查询日志中）")
def my_file(
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    subject = _own_subject(session, principal)
    querylog.log_read(
        session,
        principal,
        subject_id=subject.id,
        target="subject_file",
        purpose=Purpose.self_query,
        legal_basis=None,
        allowed=True,
        clock=clock,
    )
    return credit_file(session, subject, View.own, today=clock.today(), cipher=cipher)


class QueryLogOut(BaseModel):
    id: int
    at: dt.datetime
    username: str
    department: str | None
    subject_id: int | None
    purpose: str | None
    legal_basis: str | None
    target: str
    allowed: bool
    reason: str | None


def _log_out(entries: list[QueryLogEntry], names: dict[int, str]) -> list[QueryLogOut]:
    return [
        QueryLogOut(
            id=e.id,
            at=e.at,
            username=e.username,
            department=names.get(e.department_id) if e.department_id else None,
            subject_id=e.subject_id,
            purpose=e.purpose,
            legal_basis=e.legal_basis,
            target=e.target,
            allowed=e.allowed,
            reason=e.reason,
        )
        for e in entries
    ]


class QueryLogPage(BaseModel):
    total: int
    entries: list[QueryLogOut]


@router.get("/me/query-log", summary="哪些部门、机构因何查询过本主体的信用档案")
def my_query_log(
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> QueryLogPage:
    subject = _own_subject(session, principal)
    total, entries = querylog.search(
        session, querylog.LogFilter(subject_id=subject.id), limit=limit, offset=offset
    )
    names = querylog.department_names(session, {e.department_id for e in entries if e.department_id})
    return QueryLogPage(total=total, entries=_log_out(entries, names))


@router.get("/audit/query-log", summary="查询使用登记检索（审计员）")
def search_query_log(
    principal: Principal = Depends(authorize(Scope.querylog_read)),
    session: Session = Depends(get_session),
    subject_id: int | None = None,
    username: str | None = None,
    department_id: int | None = None,
    allowed: bool | None = None,
    purpose: Purpose | None = Query(None, description="查询用途"),
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> QueryLogPage:
    f = querylog.LogFilter(subject_id, username, department_id, allowed, since, until, purpose)
    total, entries = querylog.search(session, f, limit=limit, offset=offset)
    names = querylog.department_names(session, {e.department_id for e in entries if e.department_id})
    return QueryLogPage(total=total, entries=_log_out(entries, names))


class AuthorisationIn(BaseModel):
    agency: str = Field(description="信用服务机构的账户名")
    purpose: Purpose = Field(description="授权用途")
    days: int = Field(ge=1, description="授权天数（不超过平台规定的上限，默认 365 天）")


class AuthorisationOut(BaseModel):
    id: int
    agency_user_id: int
    purpose: str
    valid_from: dt.date
    valid_until: dt.date
    revoked_at: dt.datetime | None
    live: bool


def _grant_out(a: Authorisation, today: dt.date) -> AuthorisationOut:
    return AuthorisationOut(
        id=a.id,
        agency_user_id=a.agency_user_id,
        purpose=a.purpose,
        valid_from=a.valid_from,
        valid_until=a.valid_until,
        revoked_at=a.revoked_at,
        live=grants.is_live(a, today),
    )


@router.get("/me/authorisations", summary="本主体给予信用服务机构的查询授权")
def my_authorisations(
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
) -> list[AuthorisationOut]:
    subject = _own_subject(session, principal)
    return [_grant_out(a, clock.today()) for a in grants.of_subject(session, subject.id)]


@router.post("/me/authorisations", status_code=201, summary="授权信用服务机构查询（一个用途、有限期限）")
def grant_authorisation(
    body: AuthorisationIn,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
    settings: Settings = Depends(get_settings_dep),
) -> AuthorisationOut:
    subject = _own_subject(session, principal)
    assert principal.user_id is not None
    record = grants.grant(
        session,
        subject_id=subject.id,
        agency_username=body.agency,
        purpose=body.purpose,
        days=body.days,
        granted_by=principal.user_id,
        settings=settings,
        clock=clock,
    )
    return _grant_out(record, clock.today())


@router.delete("/me/authorisations/{authorisation_id}", summary="撤回查询授权")
def revoke_authorisation(
    authorisation_id: int,
    principal: Principal = Depends(authorize(Scope.self_file)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
) -> AuthorisationOut:
    subject = _own_subject(session, principal)
    record = grants.revoke(
        session,
        authorisation_id=authorisation_id,
        subject_id=subject.id,
        actor=f"user:{principal.username}",
        clock=clock,
    )
    return _grant_out(record, clock.today())


@router.get("/agency/subjects/{subject_id}/file", summary="信用服务机构凭有效授权查询信用档案")
def agency_file(
    subject_id: int,
    principal: Principal = Depends(authorize(Scope.agency_query)),
    session: Session = Depends(get_session),
    clock: Clock = Depends(get_clock),
    cipher: PersonalDataCipher = Depends(get_cipher),
) -> FileOut:
    subject = session.get(Subject, subject_id)
    assert principal.user_id is not None
    today = clock.today()
    grant = (
        grants.live_grant(session, subject_id=subject.id, agency_user_id=principal.user_id, today=today)
        if subject is not None
        else None
    )
    if subject is None or grant is None:
        # A subject that does not exist gets the same logged refusal: an agency learns nothing by probing.
        raise querylog.refuse(
            session,
            principal,
            subject_id=subject.id if subject is not None else None,
            target="subject_file" if subject is not None else f"subject_file:{subject_id}（主体不存在）",
            purpose=Purpose.authorised_query,
            legal_basis=None,
            clock=clock,
            code="AUTHORISATION_REQUIRED",
            message="没有该信用主体的有效授权（未授权、已过期或已撤回），不能查询",
        )
    querylog.log_read(
        session,
        principal,
        subject_id=subject.id,
        target="subject_file",
        purpose=Purpose(grant.purpose),
        legal_basis=f"信用主体授权（授权编号 {grant.id}，有效期至 {grant.valid_until.isoformat()}）",
        allowed=True,
        clock=clock,
    )
    return credit_file(session, subject, View.agency, today=clock.today(), cipher=cipher)
