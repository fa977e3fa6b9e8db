"""What the security routes and the /me page ask for, as schemas: the caller's account, a subject's own
query log and grants, the auditor's query-log search.

One function per question; ``GET /api/v1/me`` and the /me page both answer from :func:`account`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.departments import repository as departments
from xinyong.departments.service import LEVEL_ZH
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Forbidden
from xinyong.models import Authorisation, QueryLogEntry
from xinyong.security import grants, querylog, repository
from xinyong.security.auth import Principal
from xinyong.security.roles import ROLE_ZH
from xinyong.security.schemas import (
    AuthorisationIn,
    AuthorisationOut,
    DepartmentOut,
    LogFilter,
    MeOut,
    MePage,
    QueryLogOut,
    QueryLogPage,
)

#: Entries of its query log the /me page shows a subject (the API pages through all of them).


def account(session: Session, principal: Principal) -> MeOut:
    """The caller's account: roles (and their Chinese names), scopes and data range."""
    user = repository.user_by_id(session, principal.user_id) if principal.user_id else None
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


def own_subject_id(session: Session, principal: Principal) -> int:
    """The caller's own credit subject, or 403 ``ACCOUNT_NOT_SUBJECT``."""
    if principal.subject_id is None or not repository.subject_exists(session, principal.subject_id):
        raise Forbidden("此账户未关联信用主体", code="ACCOUNT_NOT_SUBJECT")
    return principal.subject_id


def _log_page(session: Session, total: int, entries: list[QueryLogEntry]) -> QueryLogPage:
    names = repository.department_names(session, {e.department_id for e in entries if e.department_id})
    return QueryLogPage(
        total=total,
        entries=[
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
        ],
    )


def search_query_log(session: Session, f: LogFilter, *, limit: int, offset: int) -> QueryLogPage:
    """The auditor's search: entries matching ``f``, newest first, with the reader's department."""
    total, entries = querylog.search(session, f, limit=limit, offset=offset)
    return _log_page(session, total, entries)


def own_query_log(session: Session, principal: Principal, *, limit: int, offset: int) -> QueryLogPage:
    """Who read the caller's own subject's file, and why (the caller must be a subject account)."""
    subject_id = own_subject_id(session, principal)
    return search_query_log(session, LogFilter(subject_id=subject_id), limit=limit, offset=offset)


def _grant_out(record: Authorisation, today: dt.date) -> AuthorisationOut:
    return AuthorisationOut(
        id=record.id,
        agency_user_id=record.agency_user_id,
        purpose=record.purpose,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        revoked_at=record.revoked_at,
        live=grants.is_live(record, today),
    )


def own_authorisations(session: Session, principal: Principal, *, today: dt.date) -> list[AuthorisationOut]:
    """The grants the caller's subject gave credit service agencies, newest first."""
    subject_id = own_subject_id(session, principal)
    return [_grant_out(a, today) for a in grants.of_subject(session, subject_id)]


def grant_authorisation(
    session: Session, principal: Principal, body: AuthorisationIn, *, settings: Settings, clock: Clock
) -> AuthorisationOut:
    """The caller's subject lets one agency query its file, for one purpose and a limited period."""
    subject_id = own_subject_id(session, principal)
    record = grants.grant(
        session,
        subject_id=subject_id,
        agency_username=body.agency,
        purpose=body.purpose,
        days=body.days,
        granted_by=principal.account_id(),
        settings=settings,
        clock=clock,
    )
    return _grant_out(record, clock.today())


def revoke_authorisation(
    session: Session, principal: Principal, authorisation_id: int, *, clock: Clock
) -> AuthorisationOut:
    """Withdraw one of the caller's subject's grants (a no-op for one already withdrawn)."""
    subject_id = own_subject_id(session, principal)
    record = grants.revoke(
        session,
        authorisation_id=authorisation_id,
        subject_id=subject_id,
        actor=f"user:{principal.username}",
        clock=clock,
    )
    return _grant_out(record, clock.today())


def me_page(session: Session, principal: Principal) -> MePage:
    """The /me page: the account (:func:`account`, as ``GET /api/v1/me``) and its department's data
    range."""
    dept = departments.by_id(session, principal.department_id) if principal.department_id else None
    department = (
        DepartmentOut(
            name=dept.name,
            region_code=dept.region_code,
            level=dept.level,
            level_zh=LEVEL_ZH.get(dept.level, dept.level),
        )
        if dept is not None
        else None
    )
    return MePage(account=account(session, principal), department=department)
