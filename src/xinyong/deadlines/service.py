"""Working-day schedules in the database, and deadlines computed with them.

kit.workdays does the counting; this module feeds it the office's overrides, loads a year's schedule
(``xinyong workdays load FILE``) and, when a schedule arrives, recomputes every provisional deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from xinyong.kit import audit
from xinyong.kit.clock import Clock, SystemClock
from xinyong.kit.workdays import WorkCalendar, parse_schedule
from xinyong.models.workdays import Deadline, WorkdayOverride, WorkdaySchedule


def calendar(session: Session) -> WorkCalendar:
    """The calendar in force: chinese-calendar plus every override the office loaded."""
    overrides = {row.day: row.is_workday for row in session.scalars(select(WorkdayOverride))}
    years = set(session.scalars(select(WorkdaySchedule.year)))
    return WorkCalendar(overrides=overrides, scheduled_years=years)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass(frozen=True)
class ScheduleLoaded:
    year: int
    holidays: int
    workdays: int
    recomputed: int
    replaced: bool


def load_schedule(session: Session, text: str, *, actor: str, clock: Clock | None = None) -> ScheduleLoaded:
    """Store (or replace) one year's schedule and recompute the provisional deadlines it now covers."""
    clock = clock or SystemClock()
    schedule = parse_schedule(text)
    existing = session.get(WorkdaySchedule, schedule.year)
    before = None
    if existing is not None:
        before = {"year": existing.year, "source": existing.source, "text": existing.source_text}
        session.execute(delete(WorkdayOverride).where(WorkdayOverride.year == schedule.year))
        session.delete(existing)
        session.flush()
    session.add(
        WorkdaySchedule(
            year=schedule.year,
            source=schedule.source,
            source_text=text,
            loaded_at=clock.now(),
            loaded_by=actor,
        )
    )
    session.flush()
    overrides = schedule.overrides()
    names = {span_day: span.name for span in schedule.holidays for span_day in _days(span.start, span.end)}
    names.update({makeup.date: makeup.name for makeup in schedule.workdays})
    for day, is_workday in sorted(overrides.items()):
        session.add(
            WorkdayOverride(day=day, is_workday=is_workday, name=names.get(day, ""), year=schedule.year)
        )
    session.flush()
    recomputed = recompute_provisional(session)
    audit.record(
        session,
        actor=actor,
        action="workdays.schedule_loaded",
        entity="workday_schedule",
        entity_id=schedule.year,
        before=before,
        after={"year": schedule.year, "source": schedule.source, "text": text},
        detail={"recomputed_deadlines": recomputed},
        clock=clock,
    )
    return ScheduleLoaded(
        year=schedule.year,
        holidays=sum(1 for v in overrides.values() if not v),
        workdays=sum(1 for v in overrides.values() if v),
        recomputed=recomputed,
        replaced=existing is not None,
    )


def set_deadline(
    session: Session, *, owner_type: str, owner_id: str, kind: str, start: dt.date, workdays: int
) -> Deadline:
    """Record a deadline ``workdays`` working days after ``start``, flagged provisional when it must be."""
    result = calendar(session).add_workdays(start, workdays)
    row = Deadline(
        owner_type=owner_type,
        owner_id=owner_id,
        kind=kind,
        start_date=start,
        workdays=workdays,
        due_date=result.date,
        provisional=result.provisional,
    )
    session.add(row)
    session.flush()
    return row


def recompute_provisional(session: Session) -> int:
    """Recompute every provisional deadline with the calendar now in force; returns how many changed state."""
    cal = calendar(session)
    changed = 0
    for row in session.scalars(select(Deadline).where(Deadline.provisional.is_(True))):
        result = cal.add_workdays(row.start_date, row.workdays)
        if result.date != row.due_date or result.provisional != row.provisional:
            row.due_date, row.provisional = result.date, result.provisional
            changed += 1
    session.flush()
    return changed
