"""SQL for working days: the office's schedules and overrides, and stored deadlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.orm import Session

from xinyong.models.workdays import Deadline, WorkdayOverride, WorkdaySchedule


def overrides(session: Session) -> dict[dt.date, bool]:
    """Every day the office declared a holiday (False) or a make-up working day (True)."""
    return {row.day: row.is_workday for row in session.scalars(select(WorkdayOverride))}


def overrides_between(session: Session, first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    """The stored overrides from ``first`` to ``last`` inclusive."""
    stmt = select(WorkdayOverride.day, WorkdayOverride.is_workday).where(
        WorkdayOverride.day.between(first, last)
    )
    return {day: is_workday for day, is_workday in session.execute(stmt)}


def replace_overrides(session: Session, first: dt.date, last: dt.date, rows: list[WorkdayOverride]) -> None:
    """Replace every stored override from ``first`` to ``last`` inclusive by ``rows``."""
    session.execute(delete(WorkdayOverride).where(WorkdayOverride.day.between(first, last)))
    session.add_all(rows)
    session.flush()


def schedules_between(session: Session, first_year: int, last_year: int) -> list[WorkdaySchedule]:
    """The stored notices for the years ``first_year`` to ``last_year`` inclusive, oldest first."""
    stmt = select(WorkdaySchedule).where(WorkdaySchedule.year.between(first_year, last_year))
    return list(session.scalars(stmt.order_by(WorkdaySchedule.year)))


def scheduled_years(session: Session) -> set[int]:
    return set(session.scalars(select(WorkdaySchedule.year)))


def schedule(session: Session, year: int) -> WorkdaySchedule | None:
    return session.get(WorkdaySchedule, year)


def remove_schedule(session: Session, existing: WorkdaySchedule) -> None:
    """Delete a year's schedule and its overrides (before a replacement is stored)."""
    session.execute(delete(WorkdayOverride).where(WorkdayOverride.year == existing.year))
    session.delete(existing)
    session.flush()


def deadlines_to_recompute(
    session: Session, year: int | None, days: Iterable[dt.date] = ()
) -> list[Deadline]:
    """The provisional deadlines, with ``year`` also every deadline whose span touches that year, and
    every deadline whose span holds one of ``days``."""
    which: ColumnElement[bool] = Deadline.provisional.is_(True)
    if year is not None:
        touches = and_(Deadline.start_date <= dt.date(year, 12, 31), Deadline.due_date >= dt.date(year, 1, 1))
        which = or_(which, touches)
    for first, last in _runs(days):
        which = or_(which, and_(Deadline.start_date <= last, Deadline.due_date >= first))
    return list(session.scalars(select(Deadline).where(which).order_by(Deadline.id)))


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """``days`` as runs of consecutive days, each as its first and last day."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
