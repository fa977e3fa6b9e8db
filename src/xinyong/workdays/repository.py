"""SQL for working days: the office's schedules and overrides, and stored deadlines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.orm import Session

from xinyong.models.workdays import Deadline, WorkdayOverride, WorkdaySchedule


def overrides(session: Session) -> dict[dt.date, bool]:
    """Every day the office declared a holiday (False) or a make-up working day (True)."""
    return {row.day: row.is_workday for row in session.scalars(select(WorkdayOverride))}


def scheduled_years(session: Session) -> set[int]:
    return set(session.scalars(select(WorkdaySchedule.year)))


def schedule(session: Session, year: int) -> WorkdaySchedule | None:
    return session.get(WorkdaySchedule, year)


def remove_schedule(session: Session, existing: WorkdaySchedule) -> None:
    """Delete a year's schedule and its overrides (before a replacement is stored)."""
    session.execute(delete(WorkdayOverride).where(WorkdayOverride.year == existing.year))
    session.delete(existing)
    session.flush()


def deadlines_to_recompute(session: Session, year: int | None) -> list[Deadline]:
    """The provisional deadlines, and with ``year`` also every deadline whose span touches that year."""
    which: ColumnElement[bool] = Deadline.provisional.is_(True)
    if year is not None:
        touches = and_(Deadline.start_date <= dt.date(year, 12, 31), Deadline.due_date >= dt.date(year, 1, 1))
        which = or_(which, touches)
    return list(session.scalars(select(Deadline).where(which).order_by(Deadline.id)))
