"""Query log (查询使用登记): every read of non-public data about a subject, allowed or refused.

``require_purpose`` turns the caller's stated purpose into a ``Purpose`` or refuses the read;
``log_read`` writes the entry; a refusal raised through ``refuse`` keeps its entry even though the
request fails (``RecordedRefusal.keep_changes``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from xinyong.kit.clock import CHINA_TZ, Clock
from xinyong.kit.errors import InvalidInput, RecordedRefusal
from xinyong.models import Department, QueryLogEntry
from xinyong.security.auth import Principal
from xinyong.security.roles import AGENCY_PURPOSES, STAFF_PURPOSES, Purpose, Role

PURPOSES_ZH = [p.value for p in Purpose]


class PurposeRequired(InvalidInput):
    code = "QUERY_PURPOSE_REQUIRED"
    message = "查询非公开信用信息必须说明查询用途"
    keep_changes = True


class PurposeNotAllowed(RecordedRefusal):
    code = "QUERY_PURPOSE_NOT_ALLOWED"
    message = "该查询用途不适用于当前账户：本人查询仅限信用主体本人，授权查询仅限持有效授权的信用服务机构"


def purposes_for(principal: Principal) -> frozenset[Purpose]:
    """The purposes this caller may state: a subject only 本人查询, an agency only what a grant can give
    (the grant itself is checked where it is read), staff only their own functions (``STAFF_PURPOSES``)."""
    if Role.subject in principal.roles:
        return frozenset({Purpose.self_query})
    if Role.agency in principal.roles:
        return AGENCY_PURPOSES
    return STAFF_PURPOSES


class LegalBasisRequired(InvalidInput):
    code = "QUERY_LEGAL_BASIS_REQUIRED"
    message = "部门查询非公开信用信息必须写明查询依据（法律法规、文件或办理事项）"
    keep_changes = True


def log_read(
    session: Session,
    principal: Principal,
    *,
    subject_id: int | None,
    target: str,
    purpose: Purpose | None,
    legal_basis: str | None,
    allowed: bool,
    clock: Clock,
    reason: str | None = None,
) -> QueryLogEntry:
    entry = QueryLogEntry(
        at=clock.now(),
        user_id=principal.user_id,
        username=principal.username,
        department_id=principal.department_id,
        subject_id=subject_id,
        purpose=purpose.value if purpose else None,
        legal_basis=legal_basis,
        target=target[:100],
        allowed=allowed,
        reason=reason[:300] if reason else None,
        client=principal.client,
    )
    session.add(entry)
    session.flush()
    return entry


def require_purpose(
    session: Session,
    principal: Principal,
    purpose: str | None,
    *,
    subject_id: int | None,
    target: str,
    legal_basis: str | None,
    clock: Clock,
) -> Purpose:
    """The stated purpose, one of the fixed list, and the legal basis; otherwise the attempt is logged
    and refused."""
    try:
        why = Purpose(purpose or "")
    except ValueError:
        log_read(
            session,
            principal,
            subject_id=subject_id,
            target=target,
            purpose=None,
            legal_basis=legal_basis,
            allowed=False,
            clock=clock,
            reason="未说明查询用途" if not purpose else f"查询用途不在规定范围内：{purpose}",
        )
        raise PurposeRequired(details={"purposes": PURPOSES_ZH}) from None
    allowed = purposes_for(principal)
    if why not in allowed:
        log_read(
            session,
            principal,
            subject_id=subject_id,
            target=target,
            purpose=why,
            legal_basis=legal_basis,
            allowed=False,
            clock=clock,
            reason=f"查询用途不适用于当前账户：{why.value}",
        )
        raise PurposeNotAllowed(details={"purposes": [p.value for p in Purpose if p in allowed]})
    if not legal_basis or not legal_basis.strip():
        log_read(
            session,
            principal,
            subject_id=subject_id,
            target=target,
            purpose=why,
            legal_basis=None,
            allowed=False,
            clock=clock,
            reason="未写明查询依据",
        )
        raise LegalBasisRequired()
    return why


def refuse(
    session: Session,
    principal: Principal,
    *,
    subject_id: int | None,
    target: str,
    purpose: Purpose | None,
    legal_basis: str | None,
    clock: Clock,
    code: str,
    message: str,
) -> RecordedRefusal:
    """Log a refused read and return the error to raise (403, the entry is kept)."""
    log_read(
        session,
        principal,
        subject_id=subject_id,
        target=target,
        purpose=purpose,
        legal_basis=legal_basis,
        allowed=False,
        clock=clock,
        reason=message,
    )
    return RecordedRefusal(message, code=code)


@dataclass(frozen=True)
class LogFilter:
    subject_id: int | None = None
    username: str | None = None
    department_id: int | None = None
    allowed: bool | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    purpose: Purpose | None = None


def _filtered(stmt: Select[Any], f: LogFilter) -> Select[Any]:
    if f.subject_id is not None:
        stmt = stmt.where(QueryLogEntry.subject_id == f.subject_id)
    if f.username:
        stmt = stmt.where(QueryLogEntry.username == f.username)
    if f.department_id is not None:
        stmt = stmt.where(QueryLogEntry.department_id == f.department_id)
    if f.allowed is not None:
        stmt = stmt.where(QueryLogEntry.allowed.is_(f.allowed))
    if f.purpose is not None:
        stmt = stmt.where(QueryLogEntry.purpose == f.purpose.value)
    # Days are China Standard Time days, whatever the database server's time zone.
    if f.since is not None:
        stmt = stmt.where(QueryLogEntry.at >= _day_start(f.since))
    if f.until is not None:
        stmt = stmt.where(QueryLogEntry.at < _day_start(f.until + dt.timedelta(days=1)))
    return stmt


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight CST, in the form the column compares with: aware for PostgreSQL. SQLite stores the
    naive CST wall time a Clock wrote, and SQLAlchemy drops the zone the same way for the bound value."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=CHINA_TZ)


def search(
    session: Session, f: LogFilter, *, limit: int = 100, offset: int = 0
) -> tuple[int, list[QueryLogEntry]]:
    """Entries matching ``f``, newest first, and how many match in all."""
    total = session.scalar(_filtered(select(QueryLogEntry), f).with_only_columns(func.count())) or 0
    rows: list[QueryLogEntry] = list(
        session.scalars(
            _filtered(select(QueryLogEntry), f).order_by(QueryLogEntry.id.desc()).limit(limit).offset(offset)
        )
    )
    return total, rows


def department_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Department.id, Department.name).where(Department.id.in_(ids)))
    return {dept_id: name for dept_id, name in rows}
