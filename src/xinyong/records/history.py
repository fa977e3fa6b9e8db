"""A credit record's history and withdrawal: versions kept on every change, revocation by the source,
and the one hook through which everything based on a withdrawn record is ended.

``revoke_record`` unpublishes at once and calls ``on_record_withdrawn``; corrections (which validate
new values as intake does) are ingest.corrections.correct_record, which keeps versions through
``ensure_first_version`` here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Forbidden, InvalidInput, NotFound
from xinyong.models import CreditRecord, CreditRecordVersion
from xinyong.models.records import RecordStatus
from xinyong.records import repository


@dataclass(frozen=True)
class VersionView:
    version: int
    change: str
    reason: str | None
    status: str
    data: dict[str, Any]
    changed_at: dt.datetime | None
    changed_by: str


def _batch_submitter(session: Session, batch_id: int | None) -> str:
    if batch_id is None:
        return "unknown"
    return repository.batch_submitter(session, batch_id) or f"batch:{batch_id}"


def ensure_first_version(session: Session, record: CreditRecord) -> None:
    """Before a record changes for the first time, keep its current state as a version row."""
    if not repository.has_version(session, record.id, record.version):
        session.add(
            CreditRecordVersion(
                record_id=record.id,
                version=record.version,
                change="created",
                reason=record.severity_reason,
                status=record.status,
                data=record.data,
                changed_at=record.created_at,
                changed_by=_batch_submitter(session, record.batch_id),
            )
        )
        session.flush()


def add_version(
    session: Session, record: CreditRecord, *, change: str, reason: str, actor: str, clock: Clock
) -> None:
    """Keep the record's current state (its version number already moved on) as a version row."""
    session.add(
        CreditRecordVersion(
            record_id=record.id,
            version=record.version,
            change=change,
            reason=reason.strip(),
            status=record.status,
            data=record.data,
            changed_at=clock.now(),
            changed_by=actor,
        )
    )


def record_history(session: Session, record_id: int) -> list[VersionView]:
    """Every version of a record, oldest first (version 1 is the record itself while it never changed)."""
    record = get_record(session, record_id)
    rows = repository.versions(session, record_id)
    if not rows:
        return [
            VersionView(
                version=record.version,
                change="created",
                reason=record.severity_reason,
                status=record.status.value,
                data=record.data,
                changed_at=record.created_at,
                changed_by=_batch_submitter(session, record.batch_id),
            )
        ]
    return [
        VersionView(r.version, r.change, r.reason, r.status.value, r.data, r.changed_at, r.changed_by)
        for r in rows
    ]


# --------------------------------------------------------------------------- corrections, revocations


@dataclass(frozen=True)
class Withdrawal:
    """Why a record stopped being in force: passed to every hook of :func:`on_record_withdrawn`."""

    record_id: int
    subject_id: int
    cause: str  # revoked / repaired / expired
    reason: str
    actor: str


#: Functions that end what is based on a withdrawn record (measures, list entries ...). Later modules
#: register theirs with :func:`register_withdrawal_hook`; each returns how many things it ended.
WITHDRAWAL_HOOKS: list[Callable[[Session, Withdrawal, Clock], int]] = []


def register_withdrawal_hook(hook: Callable[[Session, Withdrawal, Clock], int]) -> None:
    if hook not in WITHDRAWAL_HOOKS:
        WITHDRAWAL_HOOKS.append(hook)


def on_record_withdrawn(session: Session, withdrawal: Withdrawal, clock: Clock) -> int:
    """The one place that ends everything based on a record that is no longer in force."""
    return sum(hook(session, withdrawal, clock) for hook in list(WITHDRAWAL_HOOKS))


def get_record(session: Session, record_id: int) -> CreditRecord:
    record = repository.get(session, record_id)
    if record is None:
        raise NotFound(
            f"信用记录 {record_id} 不存在", code="RECORD_NOT_FOUND", details={"record_id": record_id}
        )
    return record


def find_record(session: Session, dept_id: int, source_record_id: str) -> CreditRecord:
    """A department's record by its own id (一数一源 key)."""
    record = repository.by_source_key(session, dept_id, source_record_id)
    if record is None:
        raise NotFound(
            f"本部门没有数据标识为 {source_record_id} 的信用记录",
            code="RECORD_NOT_FOUND",
            details={"source_record_id": source_record_id},
        )
    return record


def changeable(session: Session, record_id: int, dept_id: int | None, reason: str) -> CreditRecord:
    record = get_record(session, record_id)
    if dept_id is not None and record.source_dept_id != dept_id:
        raise Forbidden(
            "只有报送该记录的部门可以更正或撤销（谁提供谁负责）",
            code="RECORD_NOT_OWN_SOURCE",
            details={"record_id": record_id},
        )
    if not reason or not reason.strip():
        raise InvalidInput("更正或撤销信用记录必须说明理由", code="RECORD_CHANGE_REASON_REQUIRED")
    return record


def revoke_record(
    session: Session,
    record_id: int,
    *,
    reason: str,
    actor: str,
    clock: Clock,
    dept_id: int | None = None,
) -> CreditRecord:
    """撤销: the deciding document was withdrawn (reconsideration, court). The record stops being
    published at once, a version records the revocation and its reason, everything based on it ends
    (:func:`on_record_withdrawn`), and the audit trail says who did it. Revoking twice changes nothing.
    """
    record = changeable(session, record_id, dept_id, reason)
    if record.status is RecordStatus.revoked:
        return record
    ensure_first_version(session, record)
    before = {"status": record.status.value, "published": record.published, "version": record.version}
    record.version += 1
    record.status = RecordStatus.revoked
    record.published = False
    record.updated_at = clock.now()
    add_version(session, record, change="revoked", reason=reason, actor=actor, clock=clock)
    session.flush()
    ended = on_record_withdrawn(
        session,
        Withdrawal(record.id, record.subject_id, "revoked", reason.strip(), actor),
        clock,
    )
    audit.record(
        session,
        actor=actor,
        action="record.revoked",
        entity="credit_record",
        entity_id=record.id,
        subject_id=record.subject_id,
        before=before,
        after={"status": "revoked", "published": False, "version": record.version},
        detail={"reason": reason.strip(), "ended": ended},
        clock=clock,
    )
    return record
