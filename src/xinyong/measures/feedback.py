"""触发—响应—反馈: when an entry is published, every implementing department whose measures apply gets a task;
it reports back; open, overdue and rates per department are queryable.

``open_tasks`` and ``close_tasks`` are what the list lifecycle (xinyong.lists) calls on publish and exit.

Who gets a task
    For each measure the entry's scope item names (the scope row the entry was proposed under), whose
    ``subject_types`` hold the subject's type: every *active* department whose ``kind`` is one of the
    measure's ``implementing_department_kinds`` and whose region covers the subject's region — a
    province department its province, a city department its city and counties, a county department its
    own county (the prefix rule of ``security.auth.region_prefix``, the same one that bounds a caller's
    data range). A subject without a region is placed in the initiating department's region. The
    measure's text is the current catalog version's (the one in force at publication), falling back to
    the scope's own version when the current one no longer has that code.

Due date
    ``FEEDBACK_WORKDAYS`` = 10 working days after the publication date, counted with the working-day
    calendar in force (``workdays.service.calendar``); ``due_provisional`` when a year counted has no
    loaded holiday schedule. The seeds set no time limit for 反馈 itself; 10 working days is the limit
    seed 004 §三(六)1 sets for the neighbouring duty (移出名单 within 十个工作日 of accepting a repair),
    between the 7 working days of 双公示 (seed 003) and the 15 of an objection's answer (seed 000 (十)).

Reporting
    Only the task's own department reports (any other caller, whatever its scope, is told the task does
    not exist), only while the task is open; ``not_applicable`` and ``objection`` need a reason. A
    report after the due date is accepted and marked late (``TaskOut.late``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.lists import DocumentKind, ListScope, Measure
from xinyong.catalog.lists_service import current_lists
from xinyong.catalog.terms import SubjectType
from xinyong.ingest.access import actor_of, overseen_ids
from xinyong.kit.clock import CHINA_TZ, Clock, as_aware
from xinyong.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.measures import feedback_repository as repo
from xinyong.measures.feedback_schemas import (
    CASE_REF_MAX,
    LIST_ZH,
    NOTE_MAX,
    STATUS_ZH,
    DeptRate,
    EntryOut,
    MeasureOut,
    Outcome,
    RatesOut,
    TaskOut,
    TaskPage,
)
from xinyong.models import Department, FeedbackTask, ListEntry, Subject
from xinyong.models.measures import TaskStatus
from xinyong.security.auth import Principal, region_prefix
from xinyong.workdays.service import calendar

#: Working days an implementing department has to report back (see the module docstring).
FEEDBACK_WORKDAYS = 10


class TaskNotFound(NotFound):
    code = "FEEDBACK_TASK_NOT_FOUND"
    message = "反馈任务不存在"


class TaskClosed(Conflict):
    code = "FEEDBACK_TASK_CLOSED"
    message = "该反馈任务已反馈或已关闭，不能再次反馈"


class ReasonRequired(InvalidInput):
    code = "FEEDBACK_REASON_REQUIRED"
    message = "反馈“不适用”或“提出异议”时须说明理由"


class DepartmentRequired(Forbidden):
    code = "FEEDBACK_DEPARTMENT_REQUIRED"
    message = "只有实施部门的账户才有反馈任务"


def local_date(value: dt.datetime) -> dt.date:
    """The China-time date of a stored instant."""
    return as_aware(value).astimezone(CHINA_TZ).date()


def covers(dept: Department, region_code: str | None) -> bool:
    """Whether ``dept`` serves ``region_code``: its own division and, above county level, those below."""
    return region_code is not None and region_code.startswith(region_prefix(dept.region_code, dept.level))


def measures_of(
    session: Session, scope_id: int, codes: Sequence[str], current: dict[str, Measure] | None = None
) -> dict[str, Measure]:
    """The measures ``codes`` as the current catalog version states them (``current``, read when not
    given), else as the version of the scope row ``scope_id`` did."""
    if current is None:
        current = current_lists(session).measures
    found = {code: current[code] for code in codes if code in current}
    missing = [code for code in codes if code not in found]
    row = repo.scope_row(session, scope_id)
    if missing and row is not None:
        for m in repo.measure_rows(session, row.version_id, missing):
            found[m.code] = Measure.model_validate(m.spec)
    return found


def scope_of(session: Session, entry: ListEntry) -> ListScope:
    """The scope item the entry was proposed under."""
    row = repo.scope_row(session, entry.scope_id)
    if row is None:  # the foreign key forbids it; a guard, not a rule
        raise NotFound(f"名单 {entry.number} 的范围事项不存在", code="LIST_SCOPE_NOT_FOUND")
    return ListScope.model_validate(row.spec)


def _targets(session: Session, entry: ListEntry) -> list[tuple[Measure, Department]]:
    """(measure, department) pairs that must act on ``entry``, by measure code then department code."""
    subject = session.get_one(Subject, entry.subject_id)
    region = subject.region_code
    if region is None:
        region = session.get_one(Department, entry.initiating_dept_id).region_code
    subject_type = SubjectType(subject.kind.value)
    scope = scope_of(session, entry)
    measures = measures_of(session, entry.scope_id, scope.measures)
    pairs: list[tuple[Measure, Department]] = []
    for code in sorted(measures):
        measure = measures[code]
        if subject_type not in measure.subject_types:
            continue
        depts = repo.active_departments(session, measure.implementing_department_kinds)
        pairs.extend((measure, dept) for dept in depts if covers(dept, region))
    return pairs


def open_tasks(session: Session, entry: ListEntry, *, actor: str, clock: Clock) -> list[FeedbackTask]:
    """Create the tasks of a just-published entry (one per measure and implementing department).

    Idempotent: a (measure, department) pair that already has a task, whatever its status, gets none
    again. Returns the tasks created by this call. Audited once per call that created tasks (or the
    first call, even when no department qualifies): ``feedback.tasks_opened`` with the count."""
    existing = repo.task_keys(session, entry.id)
    published = local_date(entry.published_at) if entry.published_at else clock.today()
    due = calendar(session).add_workdays(published, FEEDBACK_WORKDAYS)
    now = clock.now()
    created: list[FeedbackTask] = []
    for measure, dept in _targets(session, entry):
        if (measure.code, dept.id) in existing:
            continue
        task = FeedbackTask(
            entry_id=entry.id,
            measure_code=measure.code,
            department_id=dept.id,
            status=TaskStatus.open,
            created_at=now,
            due_on=due.date,
            due_provisional=due.provisional,
        )
        session.add(task)
        created.append(task)
        existing.add((measure.code, dept.id))
    session.flush()
    if created or len(existing) == 0:
        audit.record(
            session,
            actor=actor,
            action="feedback.tasks_opened",
            entity="list_entry",
            entity_id=entry.id,
            subject_id=entry.subject_id,
            detail={
                "count": len(created),
                "due_on": due.date.isoformat(),
                "due_provisional": due.provisional,
                "tasks": [
                    {"id": t.id, "measure": t.measure_code, "department_id": t.department_id} for t in created
                ],
            },
            clock=clock,
        )
    return created


def close_tasks(session: Session, entry: ListEntry, *, actor: str, clock: Clock, reason: str) -> int:
    """Close the open tasks of an entry that exited or was suspended for good; returns how many.

    Reported tasks keep their answer. Audited (``feedback.tasks_closed``) when any task was closed."""
    tasks = repo.open_tasks_of_entry(session, entry.id)
    for task in tasks:
        task.status = TaskStatus.closed
        task.note = reason
    session.flush()
    if tasks:
        audit.record(
            session,
            actor=actor,
            action="feedback.tasks_closed",
            entity="list_entry",
            entity_id=entry.id,
            subject_id=entry.subject_id,
            detail={"count": len(tasks), "reason": reason, "tasks": [t.id for t in tasks]},
            clock=clock,
        )
    return len(tasks)


def recompute_provisional_due(session: Session, *, actor: str, clock: Clock) -> int:
    """Count again, with the calendar now in force, the due dates of the open tasks whose due date was
    provisional (a holiday schedule has been loaded since); returns how many due dates moved or stopped
    being provisional. Audited per entry (``feedback.due_recomputed``). For whoever loads a schedule
    (``xinyong workdays load``) to call after ``records.schedules.load_schedule``."""
    work = calendar(session)
    tasks = repo.provisional_open_tasks(session)
    entries = repo.entries(session, [t.entry_id for t in tasks])
    changed: dict[int, list[dict[str, object]]] = {}
    for task in tasks:
        entry = entries[task.entry_id]
        start = local_date(entry.published_at) if entry.published_at else local_date(task.created_at)
        due = work.add_workdays(start, FEEDBACK_WORKDAYS)
        if (due.date, due.provisional) != (task.due_on, task.due_provisional):
            changed.setdefault(entry.id, []).append(
                {"task": task.id, "before": task.due_on.isoformat(), "after": due.date.isoformat()}
            )
            task.due_on, task.due_provisional = due.date, due.provisional
    session.flush()
    for entry_id, moves in changed.items():
        audit.record(
            session,
            actor=actor,
            action="feedback.due_recomputed",
            entity="list_entry",
            entity_id=entry_id,
            subject_id=entries[entry_id].subject_id,
            detail={"tasks": moves},
            clock=clock,
        )
    return sum(len(moves) for moves in changed.values())


def own_task(session: Session, principal: Principal, task_id: int) -> FeedbackTask:
    """The task ``task_id`` if it is the caller's department's; any other is answered as not found."""
    task = repo.task(session, task_id)
    if task is None or principal.department_id is None or task.department_id != principal.department_id:
        raise TaskNotFound(f"反馈任务 {task_id} 不存在", details={"task_id": task_id})
    return task


def is_late(task: FeedbackTask) -> bool:
    """Reported after its due date (China time)."""
    return task.reported_at is not None and local_date(task.reported_at) > task.due_on


def is_overdue(task: FeedbackTask, today: dt.date, *, suspended: bool = False) -> bool:
    """Open past its due date, unless the entry is under an open objection (its measures suspended)."""
    return task.status is TaskStatus.open and task.due_on < today and not suspended


def report(
    session: Session,
    principal: Principal,
    task_id: int,
    *,
    outcome: Outcome,
    note: str,
    case_ref: str,
    clock: Clock,
) -> FeedbackTask:
    """Record what the task's department did: applied, not applicable (reason), or an objection to the
    listing (reason: the department believes the listing is wrong). Audited (``feedback.reported``)."""
    task = own_task(session, principal, task_id)
    if task.status is not TaskStatus.open:
        raise TaskClosed(
            f"反馈任务 {task_id} 的状态为“{task.status.value}”，只有待反馈的任务可以反馈",
            details={"task_id": task_id, "status": task.status.value},
        )
    note, case_ref = (note or "").strip(), (case_ref or "").strip()
    if len(note) > NOTE_MAX or len(case_ref) > CASE_REF_MAX:
        raise InvalidInput(
            f"说明最多 {NOTE_MAX} 个字符，案件编号最多 {CASE_REF_MAX} 个字符", code="FEEDBACK_FIELD_TOO_LONG"
        )
    if outcome is not Outcome.applied and not note:
        raise ReasonRequired(details={"outcome": outcome.value})
    task.status = TaskStatus(outcome.value)
    task.note = note or None
    task.case_ref = case_ref or None
    task.reported_at = clock.now()
    task.reported_by = principal.username
    session.flush()
    audit.record(
        session,
        actor=actor_of(principal),
        action="feedback.reported",
        entity="feedback_task",
        entity_id=task.id,
        before={"status": TaskStatus.open.value},
        after={"status": task.status.value, "note": task.note, "case_ref": task.case_ref},
        detail={
            "status": task.status.value,
            "entry_id": task.entry_id,
            "measure": task.measure_code,
            "note": task.note,
            "case_ref": task.case_ref,
            "late": is_late(task),
        },
        clock=clock,
    )
    return task


# --------------------------------------------------------------------------- queries


def _measure_out(code: str, measure: Measure | None) -> MeasureOut:
    if measure is None:  # a code no catalog version states any more: shown bare, never hidden
        return MeasureOut(code=code, name=code, content="", legal_basis="", effect=None)
    return MeasureOut(
        code=code,
        name=measure.name,
        content=measure.content,
        legal_basis=measure.legal_basis,
        effect=measure.effect.label_zh,
    )


def _doc_kind_zh(value: str) -> str:
    try:
        return DocumentKind(value).label_zh
    except ValueError:
        return value


def _entry_out(entry: ListEntry, subject: Subject, scope: ListScope) -> EntryOut:
    """The published entry as its implementing departments see it: what the public list shows (name
    and unified code of an organisation; a natural person's name only)."""
    return EntryOut(
        id=entry.id,
        number=entry.number,
        list_kind=entry.list_kind.value,
        list_kind_zh=LIST_ZH[entry.list_kind.value],
        scope_code=entry.scope_code,
        scope_name=scope.name,
        scope_legal_basis=scope.legal_basis,
        doc_kind=entry.doc_kind,
        doc_kind_zh=_doc_kind_zh(entry.doc_kind),
        doc_no=entry.doc_no,
        doc_date=entry.doc_date,
        doc_issuer=entry.doc_issuer,
        reason=entry.reason,
        state=entry.state.value,
        published_at=entry.published_at,
        period_end=entry.period_end,
        subject_name=subject.name,
        subject_code=subject.uscc,
    )


def task_views(session: Session, tasks: Sequence[FeedbackTask], today: dt.date) -> list[TaskOut]:
    """The tasks with their entries, subjects, departments and measures (a few queries for a page)."""
    entries = repo.entries(session, [t.entry_id for t in tasks])
    objected = repo.objected_entry_ids(session, entries)
    subjects = repo.subjects(session, [e.subject_id for e in entries.values()])
    depts = repo.departments(session, [t.department_id for t in tasks])
    current = current_lists(session).measures if tasks else {}
    scopes: dict[int, ListScope] = {}
    measures: dict[int, dict[str, Measure]] = {}
    for scope_id in {e.scope_id for e in entries.values()}:
        row = repo.scope_row(session, scope_id)
        if row is not None:
            scopes[scope_id] = ListScope.model_validate(row.spec)
            measures[scope_id] = measures_of(session, scope_id, scopes[scope_id].measures, current)
    out = []
    for task in tasks:
        entry = entries[task.entry_id]
        dept = depts[task.department_id]
        measure = measures.get(entry.scope_id, {}).get(task.measure_code) or current.get(task.measure_code)
        out.append(
            TaskOut(
                id=task.id,
                status=task.status,
                status_zh=STATUS_ZH[task.status],
                department_code=dept.code,
                department_name=dept.name,
                created_at=task.created_at,
                due_on=task.due_on,
                due_provisional=task.due_provisional,
                overdue=is_overdue(task, today, suspended=task.entry_id in objected),
                suspended=task.entry_id in objected,
                late=is_late(task),
                reported_at=task.reported_at,
                reported_by=task.reported_by,
                note=task.note,
                case_ref=task.case_ref,
                measure=_measure_out(task.measure_code, measure),
                entry=_entry_out(entry, subjects[entry.subject_id], scopes[entry.scope_id]),
            )
        )
    return out


def department_tasks(
    session: Session,
    principal: Principal,
    *,
    status: TaskStatus | None,
    overdue: bool,
    limit: int,
    offset: int,
    clock: Clock,
) -> TaskPage:
    """The caller's department's tasks (open first, earliest due first); ``overdue``: open and past due."""
    if principal.department_id is None:
        raise DepartmentRequired()
    today = clock.today()
    f = repo.TaskFilter(department_id=principal.department_id, status=status, overdue=overdue, today=today)
    total, tasks = repo.tasks_page(session, f, limit=limit, offset=offset)
    return TaskPage(total=total, limit=limit, offset=offset, items=task_views(session, tasks, today))


def task_detail(session: Session, principal: Principal, task_id: int, *, clock: Clock) -> TaskOut:
    """One task of the caller's department (``FEEDBACK_TASK_NOT_FOUND`` for any other)."""
    return task_views(session, [own_task(session, principal, task_id)], clock.today())[0]


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rates(session: Session, principal: Principal, *, clock: Clock, kind: str | None = None) -> RatesOut:
    """Feedback per department the caller oversees (``ingest.access.may_oversee``: the credit office and
    auditors every department of their region, a department itself): tasks that needed an answer (not
    closed before one came), reported, reported on time, open, open past due; rate = reported / tasks.
    ``kind``: departments of that kind only. Lowest rate first (the departments to chase)."""
    today = clock.today()
    visible = repo.departments(session, sorted(overseen_ids(session, principal)))
    ids = [d.id for d in visible.values() if kind is None or d.kind == kind]
    rows = []
    for r in repo.rate_rows(session, ids, today=today):
        dept = visible[r.department_id]
        due = r.tasks - r.closed
        rows.append(
            DeptRate(
                department_code=dept.code,
                department_name=dept.name,
                department_kind=dept.kind,
                region_code=dept.region_code,
                tasks=due,
                reported=r.reported,
                reported_on_time=r.on_time,
                open=r.open,
                overdue_open=r.overdue_open,
                closed=r.closed,
                rate=_ratio(r.reported, due),
                on_time_rate=_ratio(r.on_time, due),
            )
        )
    rows.sort(key=lambda d: (d.rate if d.rate is not None else 2.0, d.department_code))
    return RatesOut(today=today, departments=rows)
