"""SQL for feedback tasks (触发—响应—反馈): the only place that queries ``feedback_tasks``.

Counts and rates are computed by the database (one grouped query), never by loading every task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Date, Select, and_, case, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from xinyong.models import Department, FeedbackTask, ListEntry, Subject
from xinyong.models.lists import ListScopeRow, MeasureRow, Objection, ObjectionStatus, ObjectionTarget
from xinyong.models.measures import TaskStatus

#: Statuses of a task that was answered by its department (closed ones were not: their basis ended).
REPORTED = (TaskStatus.applied, TaskStatus.not_applicable, TaskStatus.objection)


def active_departments(session: Session, kinds: Sequence[str]) -> list[Department]:
    """Every active department of one of ``kinds`` (regions are matched by the caller)."""
    if not kinds:
        return []
    stmt = select(Department).where(Department.active.is_(True), Department.kind.in_(list(kinds)))
    return list(session.scalars(stmt.order_by(Department.code)))


def task_keys(session: Session, entry_id: int) -> set[tuple[str, int]]:
    """(measure code, department id) of every task the entry already has, whatever its status."""
    stmt = select(FeedbackTask.measure_code, FeedbackTask.department_id).where(
        FeedbackTask.entry_id == entry_id
    )
    return {(code, dept) for code, dept in session.execute(stmt)}


def open_tasks_of_entry(session: Session, entry_id: int) -> list[FeedbackTask]:
    stmt = select(FeedbackTask).where(
        FeedbackTask.entry_id == entry_id, FeedbackTask.status == TaskStatus.open
    )
    return list(session.scalars(stmt.order_by(FeedbackTask.id)))


def provisional_open_tasks(session: Session) -> list[FeedbackTask]:
    """Open tasks whose due date was counted without the year's holiday schedule."""
    stmt = select(FeedbackTask).where(
        FeedbackTask.status == TaskStatus.open, FeedbackTask.due_provisional.is_(True)
    )
    return list(session.scalars(stmt.order_by(FeedbackTask.id)))


def task(session: Session, task_id: int) -> FeedbackTask | None:
    return session.get(FeedbackTask, task_id)


def scope_row(session: Session, scope_id: int) -> ListScopeRow | None:
    return session.get(ListScopeRow, scope_id)


def measure_rows(session: Session, version_id: int, codes: Sequence[str]) -> list[MeasureRow]:
    stmt = select(MeasureRow).where(MeasureRow.version_id == version_id, MeasureRow.code.in_(list(codes)))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks a listing shows: one department's (None: every department in ``dept_ids``)."""

    department_id: int | None = None
    status: TaskStatus | None = None
    #: Only open tasks whose due date lies before ``today``.
    overdue: bool = False
    today: dt.date | None = None
    entry_id: int | None = None


def _objected_entries() -> Select[int]:
    """Entries under an open objection: their measures are suspended, so their tasks are not overdue."""
    return select(Objection.target_id).where(
        Objection.target_kind == ObjectionTarget.entry, Objection.status == ObjectionStatus.open
    )


def objected_entry_ids(session: Session, entry_ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(entry_ids))
    if not wanted:
        return set()
    return set(session.scalars(_objected_entries().where(Objection.target_id.in_(wanted))))


def _where(stmt: Select[tuple[FeedbackTask]], f: TaskFilter) -> Select[tuple[FeedbackTask]]:
    if f.department_id is not None:
        stmt = stmt.where(FeedbackTask.department_id == f.department_id)
    if f.status is not None:
        stmt = stmt.where(FeedbackTask.status == f.status)
    if f.entry_id is not None:
        stmt = stmt.where(FeedbackTask.entry_id == f.entry_id)
    if f.overdue and f.today is not None:
        stmt = stmt.where(
            FeedbackTask.status == TaskStatus.open,
            FeedbackTask.due_on < f.today,
            FeedbackTask.entry_id.not_in(_objected_entries()),
        )
    return stmt


def tasks_page(session: Session, f: TaskFilter, *, limit: int, offset: int) -> tuple[int, list[FeedbackTask]]:
    """(total, one page) of tasks: open first, then by due date (earliest first), then newest."""
    total = session.scalar(_where(select(func.count(FeedbackTask.id)).select_from(FeedbackTask), f)) or 0  # type: ignore[arg-type]
    open_first = case((FeedbackTask.status == TaskStatus.open, 0), else_=1)
    stmt = _where(select(FeedbackTask), f).order_by(open_first, FeedbackTask.due_on, FeedbackTask.id.desc())
    return total, list(session.scalars(stmt.limit(limit).offset(offset)))


def entries(session: Session, ids: Sequence[int]) -> dict[int, ListEntry]:
    if not ids:
        return {}
    return {e.id: e for e in session.scalars(select(ListEntry).where(ListEntry.id.in_(set(ids))))}


def subjects(session: Session, ids: Sequence[int]) -> dict[int, Subject]:
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(set(ids))))}


def departments(session: Session, ids: Sequence[int] | None = None) -> dict[int, Department]:
    stmt = select(Department)
    if ids is not None:
        stmt = stmt.where(Department.id.in_(set(ids)))
    return {d.id: d for d in session.scalars(stmt)}


def _reported_local_date(session: Session) -> ColumnElement[dt.date]:
    """The China-time date a task was reported on. SQLite stores the clock's wall time (China time)
    without an offset; PostgreSQL stores an instant, converted here."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Shanghai", FeedbackTask.reported_at), Date)
    return func.date(FeedbackTask.reported_at)


@dataclass(frozen=True)
class RateRow:
    department_id: int
    tasks: int
    reported: int
    on_time: int
    open: int
    overdue_open: int
    closed: int


def rate_rows(
    session: Session, dept_ids: Sequence[int], *, today: dt.date, since: dt.date | None = None
) -> list[RateRow]:
    """Per department of ``dept_ids`` with tasks: counts of tasks (closed ones included), reported,
    reported on or before the due date, open, open past due, closed. ``since``: tasks created from then."""
    if not dept_ids:
        return []
    reported = FeedbackTask.status.in_(REPORTED)
    on_time = and_(reported, _reported_local_date(session) <= FeedbackTask.due_on)
    is_open = FeedbackTask.status == TaskStatus.open
    stmt = (
        select(
            FeedbackTask.department_id,
            func.count(FeedbackTask.id),
            func.sum(case((reported, 1), else_=0)),
            func.sum(case((on_time, 1), else_=0)),
            func.sum(case((is_open, 1), else_=0)),
            func.sum(
                case(
                    (
                        and_(
                            is_open,
                            FeedbackTask.due_on < today,
                            FeedbackTask.entry_id.not_in(_objected_entries()),
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.sum(case((FeedbackTask.status == TaskStatus.closed, 1), else_=0)),
        )
        .where(FeedbackTask.department_id.in_(list(dept_ids)))
        .group_by(FeedbackTask.department_id)
    )
    if since is not None:
        stmt = stmt.where(FeedbackTask.created_at >= dt.datetime.combine(since, dt.time()))
    return [
        RateRow(int(d), int(t), int(r or 0), int(o or 0), int(op or 0), int(ov or 0), int(c or 0))
        for d, t, r, o, op, ov, c in session.execute(stmt)
    ]
