"""Query log (查询使用登记): every read of non-public data about a subject, allowed or refused.

``guarded_read`` is the one gate such a read passes: the purpose (stated by the caller and checked by
``require_purpose``, or fixed by the route), then the route's range or grant check, then the log entry
of the allowed read. Every refusal on the way is logged too, and raised as an error that keeps its entry
even though the request fails (``keep_changes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.audit import querychain
from xinyong.kit.clock import Clock
from xinyong.kit.errors import InvalidInput, RecordedRefusal
from xinyong.models import QueryLogEntry
from xinyong.security import repository
from xinyong.security.auth import Principal
from xinyong.security.roles import AGENCY_PURPOSES, STAFF_PURPOSES, Purpose, Role
from xinyong.security.schemas import LogFilter

PURPOSES_ZH = [p.value for p in Purpose]


class PurposeRequired(InvalidInput):
    """No purpose, or one that is not on the fixed list (the message then says so and lists the
    purposes the caller may state)."""

    code = "QUERY_PURPOSE_REQUIRED"
    message = "查询非公开信用信息必须说明查询用途"
    keep_changes = True


def _unknown_purpose(stated: str, allowed: frozenset[Purpose]) -> PurposeRequired:
    listed = [p.value for p in Purpose if p in allowed]
    return PurposeRequired(
        f"查询用途“{stated}”不是规定的查询用途之一；可选用途：{'、'.join(listed)}",
        details={"purposes": listed, "stated": stated},
    )


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
    return repository.add_query_log(session, querychain.append(session, entry))


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
        if purpose:
            raise _unknown_purpose(purpose, purposes_for(principal)) from None
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
class Access:
    """An allowed read: the purpose and legal basis it is logged with."""

    purpose: Purpose
    legal_basis: str | None = None


@dataclass(frozen=True)
class Stated:
    """The purpose and legal basis as the caller stated them (query parameters), not yet checked."""

    purpose: str | None
    legal_basis: str | None


@dataclass(frozen=True)
class Denied:
    """A refused read: the stable error code, and the message (also the log entry's reason)."""

    code: str
    message: str


#: A route's range or grant check: given the checked purpose, the access to log (the same one, or the
#: grant's own purpose and basis for an agency), or why the read is refused.
AccessCheck = Callable[[Access], Access | Denied]


def guarded_read(
    session: Session,
    principal: Principal,
    *,
    subject_id: int | None,
    target: str,
    why: Stated | Access,
    clock: Clock,
    check: AccessCheck | None = None,
) -> Access:
    """The one gate of a read of non-public data about a subject (``target`` names what is read).

    ``why`` is either what the caller stated, checked here by ``require_purpose`` (a department's
    reads), or the purpose the route itself fixes (本人查询 for one's own file, 授权查询 for an agency).
    ``check`` then decides on the data range or the grant. A refusal at either step is logged and raised
    (it keeps its entry); an allowed read is logged with the purpose and basis ``check`` returns."""
    if isinstance(why, Stated):
        purpose = require_purpose(
            session,
            principal,
            why.purpose,
            subject_id=subject_id,
            target=target,
            legal_basis=why.legal_basis,
            clock=clock,
        )
        access = Access(purpose, why.legal_basis)
    else:
        access = why
    verdict = check(access) if check is not None else access
    if isinstance(verdict, Denied):
        raise refuse(
            session,
            principal,
            subject_id=subject_id,
            target=target,
            purpose=access.purpose,
            legal_basis=access.legal_basis,
            clock=clock,
            code=verdict.code,
            message=verdict.message,
        )
    log_read(
        session,
        principal,
        subject_id=subject_id,
        target=target,
        purpose=verdict.purpose,
        legal_basis=verdict.legal_basis,
        allowed=True,
        clock=clock,
    )
    return verdict


def search(
    session: Session, f: LogFilter, *, limit: int = 100, offset: int = 0
) -> tuple[int, list[QueryLogEntry]]:
    """Entries matching ``f``, newest first, and how many match in all.

    The count is taken over the filtered entries as a subquery, so it has its FROM whatever the filter:
    ``repository.search_query_log``'s own total lost the table without a filter (``SELECT count(*)``
    alone, always 1), and is not used."""
    _, rows = repository.search_query_log(session, f, limit=limit, offset=offset)
    matching = repository._filtered(select(QueryLogEntry.id), f).subquery()
    return session.scalar(select(func.count()).select_from(matching)) or 0, rows
