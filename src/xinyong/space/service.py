"""The subject space's questions, over the services their JSON twins call: a subject's readers by
organisation (``security.service.own_query_log``), its grants with the agencies' names
(``own_authorisations``, ``grant_authorisation``), the registered agencies to choose from; an agency's
grants, and why a file it asked for was refused (``files.service.agency_file`` decides the refusal and
logs it; this only says it in the agency's words)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.kit.clock import CHINA_TZ, Clock, as_aware
from xinyong.kit.errors import InvalidInput
from xinyong.models import AccountKind, Authorisation, User
from xinyong.security import grants
from xinyong.security import service as security
from xinyong.security.auth import Principal
from xinyong.security.roles import AGENCY_PURPOSES, Purpose
from xinyong.security.schemas import AuthorisationIn, AuthorisationOut, QueryLogOut
from xinyong.space import repository
from xinyong.space.schemas import AgencyOut, GrantOut, HeldGrantOut, HeldGrantsPage, ReaderOut, ReadersPage

#: The purposes a subject may grant, in the fixed list's order (for the form and its messages).
GRANTABLE = [p for p in Purpose if p in AGENCY_PURPOSES]
#: A reader whose account no longer exists (the log keeps its entries).
UNKNOWN_READER = "（账户已删除）"


def status_zh(
    revoked_at: dt.datetime | None, valid_from: dt.date, valid_until: dt.date, today: dt.date
) -> str:
    """A grant's status as the pages say it."""
    if revoked_at is not None:
        return "已撤回"
    if today > valid_until:
        return "已过期"
    if today < valid_from:
        return "未生效"
    return "有效"


def agencies(session: Session) -> list[AgencyOut]:
    """The credit service agencies a subject may choose from, by name."""
    return [AgencyOut(account=u.username, name=u.display_name) for u in repository.active_agencies(session)]


def _organisation(entry: QueryLogOut, users: dict[str, User], subjects: dict[int, str]) -> str:
    """The organisation that read: the department, the agency, or the subject itself (本主体)."""
    if entry.department:
        return entry.department
    user = users.get(entry.username)
    if user is None:
        return UNKNOWN_READER
    if user.kind is AccountKind.subject and user.subject_id is not None:
        return f"{subjects.get(user.subject_id, '本主体')}（本主体）"
    return user.display_name


def readers(session: Session, principal: Principal, *, limit: int, offset: int) -> ReadersPage:
    """Who read the caller's subject's file, when and why (``GET /api/v1/me/query-log``), each reader
    named by its organisation: a department's name, an agency's name, never a login name."""
    page = security.own_query_log(session, principal, limit=limit, offset=offset)
    users = repository.users_by_username(session, {e.username for e in page.entries if not e.department})
    subjects = repository.subject_names(session, {u.subject_id for u in users.values() if u.subject_id})
    return ReadersPage(
        total=page.total,
        entries=[
            ReaderOut(
                id=e.id,
                at=e.at,
                organisation=_organisation(e, users, subjects),
                purpose=e.purpose,
                legal_basis=e.legal_basis,
                allowed=e.allowed,
                reason=e.reason,
            )
            for e in page.entries
        ],
    )


def _named(grant: AuthorisationOut, names: dict[int, User], today: dt.date) -> GrantOut:
    agency = names.get(grant.agency_user_id)
    return GrantOut(
        id=grant.id,
        agency=agency.display_name if agency else UNKNOWN_READER,
        purpose=grant.purpose,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        revoked_at=grant.revoked_at,
        live=grant.live,
        status_zh=status_zh(grant.revoked_at, grant.valid_from, grant.valid_until, today),
    )


def own_grants(session: Session, principal: Principal, *, today: dt.date) -> list[GrantOut]:
    """The caller's subject's grants, newest first (``GET /api/v1/me/authorisations``), with names."""
    found = security.own_authorisations(session, principal, today=today)
    names = repository.users_by_id(session, {g.agency_user_id for g in found})
    return [_named(g, names, today) for g in found]


def grant_until(
    session: Session,
    principal: Principal,
    *,
    agency: str,
    purpose: str,
    valid_until: str,
    settings: Settings,
    clock: Clock,
) -> GrantOut:
    """The grant form: an agency chosen by name, a purpose and the last day of the grant; the grant
    itself is ``POST /api/v1/me/authorisations``'s (``security.service.grant_authorisation``), which
    checks the agency, the purpose and the period."""
    try:
        why = Purpose(purpose)
    except ValueError:
        allowed = "、".join(p.value for p in GRANTABLE)
        raise InvalidInput(
            f"请选择授权用途：{allowed}", code="AUTHORISATION_PURPOSE_INVALID", details={"stated": purpose}
        ) from None
    try:
        last_day = dt.date.fromisoformat(valid_until.strip())
    except ValueError:
        raise InvalidInput(
            "请填写授权截止日期（格式 YYYY-MM-DD）", code="AUTHORISATION_PERIOD_INVALID"
        ) from None
    days = (last_day - clock.today()).days + 1
    # Unchecked here on purpose: the period's rule (1 to max_authorisation_days) is grants.grant's.
    body = AuthorisationIn.model_construct(agency=agency, purpose=why, days=days)
    made = security.grant_authorisation(session, principal, body, settings=settings, clock=clock)
    names = repository.users_by_id(session, {made.agency_user_id})
    return _named(made, names, clock.today())


def _held(grant: Authorisation, subject_name: str, today: dt.date) -> HeldGrantOut:
    return HeldGrantOut(
        id=grant.id,
        subject_id=grant.subject_id,
        subject_name=subject_name,
        purpose=grant.purpose,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        revoked_at=grant.revoked_at,
        live=grants.is_live(grant, today),
        status_zh=status_zh(grant.revoked_at, grant.valid_from, grant.valid_until, today),
    )


def held_grants(
    session: Session, principal: Principal, *, today: dt.date, limit: int, offset: int
) -> HeldGrantsPage:
    """The grants subjects gave the calling agency, newest first: subject, purpose, period, status."""
    total, rows = repository.grants_held(session, principal.account_id(), limit=limit, offset=offset)
    return HeldGrantsPage(total=total, grants=[_held(g, name, today) for g, name in rows])


@dataclass(frozen=True)
class Refusal:
    """Why an agency's read was refused, for its page: the status and the message."""

    status: int
    message: str


def refusal(session: Session, principal: Principal, subject_id: int, *, today: dt.date) -> Refusal:
    """The agency's refusal told by its own grants: none for this subject (404, as for a subject that
    does not exist: the agency learns nothing it did not know), or the grant it had, revoked or
    expired (403). ``files.service.agency_file`` has refused and logged the read already."""
    grant = repository.latest_grant(session, agency_user_id=principal.account_id(), subject_id=subject_id)
    if grant is None:
        return Refusal(404, "您没有该信用主体的查询授权，不能查看其信用档案。")
    if grant.revoked_at is not None:
        day = as_aware(grant.revoked_at).astimezone(CHINA_TZ).date()
        return Refusal(
            403,
            f"该信用主体已撤回授权（授权编号 {grant.id}，撤回于 {day.isoformat()}），不能再查看其信用档案。",
        )
    if today > grant.valid_until:
        return Refusal(
            403,
            f"授权已过期（授权编号 {grant.id}，有效期至 {grant.valid_until.isoformat()}），"
            "不能再查看其信用档案；如需查询，请该信用主体重新授权。",
        )
    return Refusal(403, "没有该信用主体的有效授权，不能查看其信用档案。")
