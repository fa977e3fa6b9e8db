"""The lifecycle of a list entry as an explicit state machine.

    (new) → proposed → notified → decided → published → exited
    proposed / notified / decided → exited (withdrawn, revoked)

:data:`TRANSITIONS` is the whole machine: every allowed (from, to) pair with the exit causes it admits.
Every change of state goes through :func:`move`, which checks the table, writes a ``ListEntryEvent`` and an
audit entry in the caller's transaction. The steps (propose, notify, decide, publish, exit) check their own
conditions first — the legal document, the scope item, the objection period, the leniency review — and
then call :func:`move`. Who may take a step (the object checks) is ``lists.service``'s business.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.lists import ListScope
from xinyong.catalog.lists_service import current_lists
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Conflict, InvalidInput
from xinyong.lists import repository, texts
from xinyong.measures import feedback
from xinyong.models import Department, Subject
from xinyong.models.lists import (
    EntryState,
    ExitCause,
    ListEntry,
    ListEntryEvent,
    ListKind,
    ListScopeRow,
    ObjectionTarget,
)
from xinyong.records.rules import add_months
from xinyong.workdays.service import calendar

S, C = EntryState, ExitCause
_BEFORE_DECISION: Final = frozenset({C.withdrawn, C.revoked})
_AFTER_PUBLICATION: Final = frozenset({C.period_over, C.repaired, C.revoked, C.overturned})

#: (from, to) → the exit causes the move admits (empty: not an exit). ``None``: a new entry.
TRANSITIONS: Final[dict[tuple[EntryState | None, EntryState], frozenset[ExitCause]]] = {
    (None, S.proposed): frozenset(),
    (S.proposed, S.notified): frozenset(),
    (S.notified, S.decided): frozenset(),
    (S.decided, S.published): frozenset(),
    (S.proposed, S.exited): _BEFORE_DECISION,
    (S.notified, S.exited): _BEFORE_DECISION,
    (S.decided, S.exited): _BEFORE_DECISION,
    (S.published, S.exited): _AFTER_PUBLICATION,
}
STATE_ZH: Final = {
    S.proposed: "已提出",
    S.notified: "已告知",
    S.decided: "已认定",
    S.published: "已发布",
    S.exited: "已移出",
}
CAUSE_ZH: Final = {
    C.period_over: "期满移出",
    C.repaired: "信用修复",
    C.revoked: "撤销",
    C.overturned: "认定决定被依法撤销",
    C.withdrawn: "认定前撤回",
}
#: Leniency facts (seed 004 §三(一)2): a black-list entry with any of them needs a review note to be decided.
LENIENCY_ZH: Final = {
    "minor": "未成年人",
    "force_majeure": "不可抗力",
    "minor_unintentional": "情节轻微且非主观故意",
}
NUMBER_PREFIX: Final = {ListKind.black: "HMD", ListKind.red: "HONGMD"}


class TransitionRefused(Conflict):
    code = "LIST_TRANSITION_REFUSED"
    message = "名单当前状态不允许此操作"


class ExitCauseRefused(InvalidInput):
    code = "LIST_EXIT_CAUSE_REFUSED"
    message = "此状态下不能以该事由移出"


def allowed_next(state: EntryState) -> list[EntryState]:
    """The states an entry in ``state`` may move to (what a page offers)."""
    return [to for (frm, to) in TRANSITIONS if frm is state]


def causes_from(state: EntryState) -> list[ExitCause]:
    return sorted(TRANSITIONS.get((state, S.exited), frozenset()), key=list(ExitCause).index)


def snapshot(entry: ListEntry) -> dict[str, Any]:
    """What the audit entry's digest covers: the entry's state and the facts it rests on."""
    return {
        "number": entry.number,
        "state": entry.state.value,
        "list_kind": entry.list_kind.value,
        "scope": entry.scope_code,
        "subject_id": entry.subject_id,
        "dept_id": entry.initiating_dept_id,
        "document": [entry.doc_kind, entry.doc_no, entry.doc_date.isoformat(), entry.doc_issuer],
        "leniency": entry.leniency,
        "review_note": entry.review_note,
        "notice": entry.notice,
        "objection_waived_at": str(entry.objection_waived_at) if entry.objection_waived_at else None,
        "decision": entry.decision,
        "period": [str(entry.period_start), str(entry.period_end)],
        "exit": [entry.exit_cause.value if entry.exit_cause else None, entry.exit_note],
    }


_STAMP: Final = {
    S.proposed: "proposed_at",
    S.notified: "notified_at",
    S.decided: "decided_at",
    S.published: "published_at",
    S.exited: "exited_at",
}


def move(
    session: Session,
    entry: ListEntry,
    to: EntryState,
    *,
    actor: str,
    clock: Clock,
    note: str | None = None,
    cause: ExitCause | None = None,
    data: dict[str, Any] | None = None,
) -> ListEntryEvent:
    """The one way an entry changes state: checked against :data:`TRANSITIONS`, with its event and its
    audit entry written in the caller's transaction."""
    before = None if to is S.proposed else entry.state
    allowed = TRANSITIONS.get((before, to))
    if allowed is None:
        raise TransitionRefused(
            f"名单“{STATE_ZH[before] if before else '未提出'}”状态不能转为“{STATE_ZH[to]}”",
            details={"from": before.value if before else None, "to": to.value},
        )
    if to is S.exited and cause not in allowed:
        raise ExitCauseRefused(
            f"“{STATE_ZH[before] if before else '未提出'}”状态的名单只能以"
            f"{'、'.join(CAUSE_ZH[c] for c in causes_from(before or S.proposed))}移出",
            details={"cause": cause.value if cause else None},
        )
    old = snapshot(entry) if before is not None else None
    now = clock.now()
    entry.state = to
    setattr(entry, _STAMP[to], now)
    entry.updated_at = now
    if to is S.exited:
        entry.exit_cause, entry.exit_note = cause, note
    event = ListEntryEvent(
        entry_id=entry.id,
        from_state=before.value if before else None,
        to_state=to.value,
        at=now,
        actor=actor,
        note=note,
        data={"cause": cause.value if cause else None, **(data or {})},
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"list_entry.{to.value}",
        entity="list_entry",
        entity_id=entry.id,
        subject_id=entry.subject_id,
        before=old,
        after=snapshot(entry),
        detail={"number": entry.number, "from": event.from_state, "to": to.value, "event_id": event.id},
        clock=clock,
    )
    return event


@dataclass(frozen=True)
class Proposal:
    """A checked proposal: the scope item, the subject, the legal document, the facts."""

    scope_row: ListScopeRow
    scope: ListScope
    subject: Subject
    dept: Department
    doc_kind: str
    doc_no: str
    doc_date: dt.date
    doc_issuer: str
    reason: str
    leniency: list[str]
    review_note: str | None


def propose(session: Session, p: Proposal, *, actor: str, clock: Clock) -> ListEntry:
    """A new entry in state proposed (the proposal's checks are ``lists.service.check_proposal``)."""
    if repository.standing_entry(session, p.subject.id, p.scope.code) is not None:
        raise Conflict(
            "该主体在此名单事项下已有未移出的列入，不能重复提出",
            code="LIST_ENTRY_EXISTS",
            details={"scope": p.scope.code},
        )
    now = clock.now()
    entry = ListEntry(
        number=f"PENDING-{uuid.uuid4().hex}",
        list_kind=p.scope.list_kind,
        scope_id=p.scope_row.id,
        scope_code=p.scope.code,
        subject_id=p.subject.id,
        initiating_dept_id=p.dept.id,
        state=S.proposed,
        doc_kind=p.doc_kind,
        doc_no=p.doc_no,
        doc_date=p.doc_date,
        doc_issuer=p.doc_issuer,
        reason=p.reason,
        leniency=p.leniency,
        review_note=p.review_note,
        proposed_at=now,
        created_by=actor,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    entry.number = f"{NUMBER_PREFIX[entry.list_kind]}-{p.doc_date.year}-{entry.id:06d}"
    move(session, entry, S.proposed, actor=actor, clock=clock, note=p.reason)
    return entry


def _scope_of(session: Session, entry: ListEntry) -> ListScope:
    return ListScope.model_validate(session.get_one(ListScopeRow, entry.scope_id).spec)


def notify(session: Session, entry: ListEntry, *, actor: str, clock: Clock) -> ListEntry:
    """告知: the notice (reason, basis, rights) and the deadline to object, ``OBJECTION_WORKDAYS``
    working days after the day of the notice (the service calendar's working days)."""
    if entry.state is not S.proposed:
        raise TransitionRefused(details={"from": entry.state.value, "to": S.notified.value})
    today = clock.today()
    due = calendar(session).add_workdays(today, texts.OBJECTION_WORKDAYS).date
    subject = session.get_one(Subject, entry.subject_id)
    dept = session.get_one(Department, entry.initiating_dept_id)
    entry.notice = texts.notice(entry, _scope_of(session, entry), subject.name, dept.name, due)
    entry.objection_due = due
    move(session, entry, S.notified, actor=actor, clock=clock, data={"objection_due": due.isoformat()})
    return entry


class ObjectionPeriodRunning(Conflict):
    code = "LIST_OBJECTION_PERIOD_RUNNING"
    message = "告知的异议期限尚未届满，不能作出认定决定"


class ObjectionOpen(Conflict):
    code = "LIST_OBJECTION_OPEN"
    message = "该名单有尚未处理完毕的异议，处理完毕前不能作出认定决定"


class ReviewNoteRequired(InvalidInput):
    code = "LIST_REVIEW_NOTE_REQUIRED"
    message = "涉及未成年人、不可抗力或情节轻微且非主观故意的，列入严重失信主体名单须写明审查意见"


class WaiverRefused(Conflict):
    code = "LIST_WAIVER_REFUSED"
    message = "只有已告知、异议期限届满前且没有未处理异议的名单，才能声明放弃陈述、申辩和异议"


def waive(session: Session, entry: ListEntry, *, statement: str, actor: str, clock: Clock) -> ListEntry:
    """The subject states in writing that it will not make representations or object (放弃陈述、申辩和
    异议): the decision may then be made before the objection deadline. Only while notified, before the
    deadline, with no objection open, once. Not a change of state: an event and an audit entry."""
    today = clock.today()
    if (
        entry.state is not S.notified
        or entry.objection_waived_at is not None
        or entry.objection_due is None
        or today > entry.objection_due
        or repository.open_objection(session, ObjectionTarget.entry, entry.id) is not None
    ):
        raise WaiverRefused(details={"state": entry.state.value})
    old = snapshot(entry)
    now = clock.now()
    entry.objection_waived_at = now
    entry.updated_at = now
    event = ListEntryEvent(
        entry_id=entry.id,
        from_state=S.notified.value,
        to_state=S.notified.value,
        at=now,
        actor=actor,
        note=statement,
        data={"waived": True},
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="list_entry.objection_waived",
        entity="list_entry",
        entity_id=entry.id,
        subject_id=entry.subject_id,
        before=old,
        after=snapshot(entry),
        detail={"number": entry.number, "event_id": event.id},
        clock=clock,
    )
    return entry


def decide(
    session: Session, entry: ListEntry, *, actor: str, clock: Clock, review_note: str | None = None
) -> ListEntry:
    """认定: only after the objection deadline has passed (the subject was heard: deciding earlier would
    take away its right to object) or the subject waived it in writing (:func:`waive`), and with no
    objection open; a black-list entry with a leniency fact
    needs a review note. Sets the period: from the decision date, ``period_months`` months less a day."""
    if entry.state is not S.notified:
        raise TransitionRefused(details={"from": entry.state.value, "to": S.decided.value})
    today = clock.today()
    heard = entry.objection_waived_at is not None or (
        entry.objection_due is not None and today > entry.objection_due
    )
    if not heard:
        raise ObjectionPeriodRunning(
            f"异议期限至 {entry.objection_due} 届满，"
            "届满后（或当事人书面放弃陈述、申辩和异议后）方可作出认定决定",
            details={"objection_due": str(entry.objection_due)},
        )
    if repository.open_objection(session, ObjectionTarget.entry, entry.id) is not None:
        raise ObjectionOpen()
    if review_note and review_note.strip():
        entry.review_note = review_note.strip()
    if entry.list_kind is ListKind.black and entry.leniency and not (entry.review_note or "").strip():
        raise ReviewNoteRequired(details={"leniency": entry.leniency})
    scope = _scope_of(session, entry)
    lists = current_lists(session)
    measures = [lists.measures[code] for code in scope.measures if code in lists.measures]
    end = add_months(today, scope.period_months) - dt.timedelta(days=1)
    subject = session.get_one(Subject, entry.subject_id)
    dept = session.get_one(Department, entry.initiating_dept_id)
    entry.period_start, entry.period_end = today, end
    entry.decision = texts.decision(entry, scope, measures, subject.name, dept.name, (today, end))
    move(session, entry, S.decided, actor=actor, clock=clock, note=entry.review_note)
    return entry


def publish(session: Session, entry: ListEntry, *, actor: str, clock: Clock) -> ListEntry:
    """发布: the entry goes public and every implementing department whose measures apply gets a task."""
    move(session, entry, S.published, actor=actor, clock=clock)
    feedback.open_tasks(session, entry, actor=actor, clock=clock)
    return entry


class ExitNoteRequired(InvalidInput):
    code = "LIST_EXIT_NOTE_REQUIRED"
    message = "移出名单须写明理由"


def exit_entry(
    session: Session, entry: ListEntry, cause: ExitCause, *, note: str, actor: str, clock: Clock
) -> ListEntry:
    """移出 (or, before the decision, 撤回): with a cause the state admits and a note; a published
    entry's open feedback tasks are closed."""
    if not note.strip():
        raise ExitNoteRequired()
    if cause is C.period_over and (entry.period_end is None or clock.today() <= entry.period_end):
        raise ExitCauseRefused(
            f"列入期限至 {entry.period_end} 届满，届满前不能以期满为由移出",
            details={"cause": cause.value, "period_end": str(entry.period_end)},
        )
    was_published = entry.state is S.published
    move(session, entry, S.exited, actor=actor, clock=clock, note=note.strip(), cause=cause)
    if was_published:
        feedback.close_tasks(
            session, entry, actor=actor, clock=clock, reason=f"{CAUSE_ZH[cause]}：{note.strip()}"
        )
    return entry


def expire_entries(session: Session, *, clock: Clock, actor: str = "system") -> int:
    """期满移出: every published entry whose period ended before today exits with cause period_over (its
    feedback tasks closed); how many. The public lists and screening already ignore an entry after its
    last day; this makes its state say so."""
    today = clock.today()
    rows = repository.published_past(session, today)
    for entry in rows:
        note = f"列入期限已于 {entry.period_end} 届满，自动移出"
        exit_entry(session, entry, C.period_over, note=note, actor=actor, clock=clock)
    return len(rows)
