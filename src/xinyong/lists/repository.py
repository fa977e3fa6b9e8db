"""SQL of the red and black lists: entries, their events, objections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from xinyong.models import Department, Subject
from xinyong.models.lists import (
    EntryState,
    ListEntry,
    ListEntryEvent,
    ListKind,
    ListScopeRow,
    Objection,
    ObjectionStatus,
    ObjectionTarget,
)
from xinyong.models.subjects import SubjectKind

#: States in which an entry still stands (a new proposal on the same scope item would repeat it).
STANDING: tuple[EntryState, ...] = (
    EntryState.proposed,
    EntryState.notified,
    EntryState.decided,
    EntryState.published,
)


def entry_by_number(session: Session, number: str) -> ListEntry | None:
    return session.scalar(select(ListEntry).where(ListEntry.number == number))


def standing_entry(session: Session, subject_id: int, scope_code: str) -> ListEntry | None:
    """An entry of the subject on the scope item that has not exited."""
    return session.scalar(
        select(ListEntry)
        .where(
            ListEntry.subject_id == subject_id,
            ListEntry.scope_code == scope_code,
            ListEntry.state.in_(STANDING),
        )
        .limit(1)
    )


def _page(session: Session, stmt: Select[ListEntry], limit: int, offset: int) -> tuple[int, list[ListEntry]]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(ListEntry.id.desc()).limit(limit).offset(offset))
    return total, list(rows)


def staff_entries(
    session: Session,
    dept_ids: Collection[int],
    *,
    state: EntryState | None,
    list_kind: ListKind | None,
    limit: int,
    offset: int,
) -> tuple[int, list[ListEntry]]:
    """Entries initiated by ``dept_ids``, newest first, and how many in all."""
    stmt = select(ListEntry).where(ListEntry.initiating_dept_id.in_(list(dept_ids)))
    if state is not None:
        stmt = stmt.where(ListEntry.state == state)
    if list_kind is not None:
        stmt = stmt.where(ListEntry.list_kind == list_kind)
    return _page(session, stmt, limit, offset)


def _public(list_kind: ListKind | None, today: dt.date) -> Select[ListEntry]:
    stmt = (
        select(ListEntry)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .where(
            ListEntry.state == EntryState.published,
            ListEntry.period_start <= today,
            ListEntry.period_end >= today,
            Subject.kind != SubjectKind.natural_person,
            Subject.verified.is_(True),
        )
    )
    return stmt if list_kind is None else stmt.where(ListEntry.list_kind == list_kind)


def public_entries(
    session: Session, list_kind: ListKind, today: dt.date, *, name: str | None, limit: int, offset: int
) -> tuple[int, list[ListEntry]]:
    """Published entries in their period, of organisations; ``name``: the normalised name contains it."""
    stmt = _public(list_kind, today)
    if name:
        stmt = stmt.where(or_(Subject.name_norm.contains(name, autoescape=True), Subject.uscc == name))
    return _page(session, stmt, limit, offset)


def public_entry(session: Session, number: str, today: dt.date) -> ListEntry | None:
    return session.scalar(_public(None, today).where(ListEntry.number == number))


def public_entries_of(session: Session, subject_id: int, today: dt.date) -> list[ListEntry]:
    stmt = _public(None, today).where(ListEntry.subject_id == subject_id).order_by(ListEntry.id.desc())
    return list(session.scalars(stmt))


def own_entries(session: Session, subject_id: int) -> list[ListEntry]:
    """A subject's entries it has been told of (from the notice on), newest first."""
    return list(
        session.scalars(
            select(ListEntry)
            .where(ListEntry.subject_id == subject_id, ListEntry.notified_at.is_not(None))
            .order_by(ListEntry.id.desc())
        )
    )


def events_of(session: Session, entry_id: int) -> list[ListEntryEvent]:
    return list(
        session.scalars(
            select(ListEntryEvent).where(ListEntryEvent.entry_id == entry_id).order_by(ListEntryEvent.id)
        )
    )


def objections_on(session: Session, kind: ObjectionTarget, target_ids: Collection[int]) -> list[Objection]:
    if not target_ids:
        return []
    return list(
        session.scalars(
            select(Objection)
            .where(Objection.target_kind == kind, Objection.target_id.in_(list(target_ids)))
            .order_by(Objection.id)
        )
    )


def open_objection(session: Session, kind: ObjectionTarget, target_id: int) -> Objection | None:
    return session.scalar(
        select(Objection)
        .where(
            Objection.target_kind == kind,
            Objection.target_id == target_id,
            Objection.status == ObjectionStatus.open,
        )
        .limit(1)
    )


def department_objections(
    session: Session, dept_id: int, *, status: ObjectionStatus | None, limit: int, offset: int
) -> tuple[int, list[Objection]]:
    stmt = select(Objection).where(Objection.dept_id == dept_id)
    if status is not None:
        stmt = stmt.where(Objection.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return total, list(session.scalars(stmt.order_by(Objection.id.desc()).limit(limit).offset(offset)))


def names(session: Session, subject_ids: Collection[int]) -> dict[int, Subject]:
    if not subject_ids:
        return {}
    rows = session.scalars(select(Subject).where(Subject.id.in_(list(subject_ids))))
    return {s.id: s for s in rows}


def department_names(session: Session, dept_ids: Collection[int]) -> dict[int, str]:
    if not dept_ids:
        return {}
    rows = session.execute(select(Department.id, Department.name).where(Department.id.in_(list(dept_ids))))
    return {row[0]: row[1] for row in rows}


def scope_name(session: Session, scope_id: int) -> str | None:
    return session.scalar(select(ListScopeRow.name).where(ListScopeRow.id == scope_id))


def published_past(session: Session, today: dt.date) -> list[ListEntry]:
    """Published entries whose period ended before ``today`` (their last day is ``period_end``)."""
    return list(
        session.scalars(
            select(ListEntry)
            .where(ListEntry.state == EntryState.published, ListEntry.period_end < today)
            .order_by(ListEntry.id)
        )
    )
