"""Subject authorisations (授权查询): a subject lets one credit service agency read its file for one
purpose and a limited period — never unlimited, at most ``max_authorisation_days`` — and may revoke."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.config import Settings
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Forbidden, InvalidInput, NotFound
from xinyong.models import AccountKind, Authorisation
from xinyong.security import repository
from xinyong.security.roles import AGENCY_PURPOSES, Purpose


def grant(
    session: Session,
    *,
    subject_id: int,
    agency_username: str,
    purpose: Purpose,
    days: int,
    granted_by: int,
    settings: Settings,
    clock: Clock,
) -> Authorisation:
    agency = repository.user_by_username(session, agency_username)
    if agency is None or agency.kind is not AccountKind.agency or not agency.active:
        raise NotFound(f"信用服务机构 {agency_username} 不存在或已停用", code="AGENCY_NOT_FOUND")
    if purpose not in AGENCY_PURPOSES:
        allowed = [p.value for p in Purpose if p in AGENCY_PURPOSES]
        raise InvalidInput(
            f"不能授权信用服务机构以“{purpose.value}”用途查询；可授权的用途：{'、'.join(allowed)}",
            code="AUTHORISATION_PURPOSE_INVALID",
            details={"purposes": allowed},
        )
    if not 1 <= days <= settings.max_authorisation_days:
        raise InvalidInput(
            f"授权期限须为 1 至 {settings.max_authorisation_days} 天，不得长期或无限期授权",
            code="AUTHORISATION_PERIOD_INVALID",
        )
    today = clock.today()
    record = Authorisation(
        subject_id=subject_id,
        agency_user_id=agency.id,
        purpose=purpose.value,
        valid_from=today,
        valid_until=today + dt.timedelta(days=days - 1),
        granted_by=granted_by,
        granted_at=clock.now(),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=f"user:{granted_by}",
        action="authorisation.granted",
        entity="authorisation",
        entity_id=record.id,
        subject_id=subject_id,
        after={
            "agency": agency_username,
            "purpose": purpose.value,
            "valid_from": record.valid_from.isoformat(),
            "valid_until": record.valid_until.isoformat(),
        },
        clock=clock,
    )
    return record


def revoke(
    session: Session, *, authorisation_id: int, subject_id: int, actor: str, clock: Clock
) -> Authorisation:
    record = repository.authorisation_by_id(session, authorisation_id)
    if record is None:
        raise NotFound("授权不存在", code="AUTHORISATION_NOT_FOUND")
    if record.subject_id != subject_id:
        raise Forbidden("只能撤回本主体的授权", code="AUTHORISATION_NOT_OWN")
    if record.revoked_at is None:
        record.revoked_at = clock.now()
        audit.record(
            session,
            actor=actor,
            action="authorisation.revoked",
            entity="authorisation",
            entity_id=record.id,
            subject_id=subject_id,
            after={"revoked_at": record.revoked_at.isoformat()},
            clock=clock,
        )
    return record


def is_live(record: Authorisation, today: dt.date) -> bool:
    return record.revoked_at is None and record.valid_from <= today <= record.valid_until


def live_grant(
    session: Session, *, subject_id: int, agency_user_id: int, today: dt.date
) -> Authorisation | None:
    """The agency's live grant for this subject, if any (the latest one)."""
    return repository.live_authorisation(
        session, subject_id=subject_id, agency_user_id=agency_user_id, today=today
    )


def of_subject(session: Session, subject_id: int) -> list[Authorisation]:
    """Every grant the subject ever gave, newest first."""
    return repository.authorisations_of_subject(session, subject_id)
