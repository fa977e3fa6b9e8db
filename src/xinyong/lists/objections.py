"""Objections (异议), minimal: a subject objects to one of its list entries or one of its credit records; the
department that decided answers (谁决定、谁负责): upheld or rejected, with a written answer.

While an objection is open (``status == open``), every measure based on its target is suspended: the
screening reads the ``objections`` table itself (it sits below this package). An upheld objection on an
entry revokes the entry (``lifecycle``: exited, cause revoked); on a record it only closes the objection
(correcting or revoking the record is the source department's own step, ``records.history``).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Conflict, NotFound
from xinyong.lists import lifecycle, repository
from xinyong.lists.schemas import ObjectionDecisionIn, ObjectionIn, ObjectionOut, ObjectionPage
from xinyong.models import CreditRecord, Subject
from xinyong.models.lists import (
    EntryState,
    ExitCause,
    ListEntry,
    Objection,
    ObjectionStatus,
    ObjectionTarget,
)
from xinyong.records.history import revoke_record
from xinyong.security.auth import Principal
from xinyong.security.service import own_subject_id

STATUS_ZH: Final = {
    ObjectionStatus.open: "处理中（相关措施中止）",
    ObjectionStatus.upheld: "异议成立",
    ObjectionStatus.rejected: "异议不成立",
}
#: Entries a subject may object to: those it has been told of and that still stand.
OBJECTABLE: Final = frozenset({EntryState.notified, EntryState.decided, EntryState.published})


class TargetNotFound(NotFound):
    code = "OBJECTION_TARGET_NOT_FOUND"
    message = "异议对象不存在，或不属于本主体"


class ObjectionNotFound(NotFound):
    code = "OBJECTION_NOT_FOUND"
    message = "异议不存在，或不由本部门处理"


def _target(session: Session, subject_id: int, body: ObjectionIn) -> tuple[int, str]:
    """(answering department, label) of the subject's own target; 404 for anything else."""
    if body.target_kind is ObjectionTarget.entry:
        entry = session.get(ListEntry, body.target_id)
        if entry is None or entry.subject_id != subject_id or entry.state not in OBJECTABLE:
            raise TargetNotFound()
        return entry.initiating_dept_id, entry.number
    record = session.get(CreditRecord, body.target_id)
    if record is None or record.subject_id != subject_id:
        raise TargetNotFound()
    return record.source_dept_id, f"信用记录 {record.decision_no or record.id}"


def objection_out(session: Session, o: Objection) -> ObjectionOut:
    subject = session.get_one(Subject, o.subject_id)
    if o.target_kind is ObjectionTarget.entry:
        entry = session.get(ListEntry, o.target_id)
        label = entry.number if entry else str(o.target_id)
    else:
        record = session.get(CreditRecord, o.target_id)
        label = f"信用记录 {(record.decision_no if record else None) or o.target_id}"
    return ObjectionOut(
        id=o.id,
        target_kind=o.target_kind.value,
        target_id=o.target_id,
        target_label=label,
        subject_id=o.subject_id,
        subject_name=subject.name,
        dept_id=o.dept_id,
        status=o.status.value,
        status_zh=STATUS_ZH[o.status],
        reason=o.reason,
        filed_at=o.filed_at,
        filed_by=o.filed_by,
        answer=o.answer,
        decided_at=o.decided_at,
        decided_by=o.decided_by,
    )


def file_objection(
    session: Session, principal: Principal, body: ObjectionIn, *, clock: Clock
) -> ObjectionOut:
    """A subject's objection against its own entry or record (one open objection per target)."""
    subject_id = own_subject_id(session, principal)
    dept_id, label = _target(session, subject_id, body)
    if repository.open_objection(session, body.target_kind, body.target_id) is not None:
        raise Conflict("对该对象的异议正在处理中，请等待答复", code="OBJECTION_ALREADY_OPEN")
    objection = Objection(
        target_kind=body.target_kind,
        target_id=body.target_id,
        subject_id=subject_id,
        dept_id=dept_id,
        status=ObjectionStatus.open,
        reason=body.reason.strip(),
        filed_at=clock.now(),
        filed_by=principal.username,
    )
    session.add(objection)
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action="objection.filed",
        entity="objection",
        entity_id=objection.id,
        subject_id=subject_id,
        after={"target": [body.target_kind.value, body.target_id], "reason": objection.reason},
        detail={"target": label, "dept_id": dept_id},
        clock=clock,
    )
    return objection_out(session, objection)


def _answerable(session: Session, principal: Principal, objection_id: int) -> Objection:
    objection = session.get(Objection, objection_id)
    if objection is None or principal.department_id != objection.dept_id:
        raise ObjectionNotFound()
    return objection


def decide_objection(
    session: Session, principal: Principal, objection_id: int, body: ObjectionDecisionIn, *, clock: Clock
) -> ObjectionOut:
    """The answering department's decision. Upheld: the error is confirmed, so what rests on it ends at
    once — an entry is revoked (exits), a record is revoked (records.history.revoke_record: unpublished,
    a new version, everything based on it ended; the source may then submit a corrected record)."""
    objection = _answerable(session, principal, objection_id)
    if objection.status is not ObjectionStatus.open:
        raise Conflict("该异议已处理完毕", code="OBJECTION_CLOSED")
    objection.status = ObjectionStatus(body.outcome)
    objection.answer = body.answer.strip()
    objection.decided_at = clock.now()
    objection.decided_by = principal.username
    session.flush()
    audit.record(
        session,
        actor=principal.username,
        action=f"objection.{body.outcome}",
        entity="objection",
        entity_id=objection.id,
        subject_id=objection.subject_id,
        before={"status": ObjectionStatus.open.value},
        after={"status": objection.status.value, "answer": objection.answer},
        clock=clock,
    )
    if objection.status is ObjectionStatus.upheld and objection.target_kind is ObjectionTarget.entry:
        entry = session.get_one(ListEntry, objection.target_id)
        if entry.state is not EntryState.exited:
            note = f"异议成立（异议 {objection.id}）：{objection.answer}"
            lifecycle.exit_entry(
                session, entry, ExitCause.revoked, note=note, actor=principal.username, clock=clock
            )
    if objection.status is ObjectionStatus.upheld and objection.target_kind is ObjectionTarget.record:
        revoke_record(
            session,
            objection.target_id,
            reason=f"异议成立（异议 {objection.id}）：{objection.answer}",
            actor=principal.username,
            clock=clock,
            dept_id=objection.dept_id,
        )
    return objection_out(session, objection)


def department_objections(
    session: Session, principal: Principal, *, status: ObjectionStatus | None, limit: int, offset: int
) -> ObjectionPage:
    """The objections the caller's department answers (open ones first by default)."""
    if principal.department_id is None:
        return ObjectionPage(total=0, items=[])
    total, rows = repository.department_objections(
        session, principal.department_id, status=status, limit=limit, offset=offset
    )
    return ObjectionPage(total=total, items=[objection_out(session, o) for o in rows])


def on_entries(session: Session, entry_ids: list[int]) -> dict[int, list[ObjectionOut]]:
    """The objections on each entry, oldest first."""
    out: dict[int, list[ObjectionOut]] = {i: [] for i in entry_ids}
    for o in repository.objections_on(session, ObjectionTarget.entry, entry_ids):
        out[o.target_id].append(objection_out(session, o))
    return out
