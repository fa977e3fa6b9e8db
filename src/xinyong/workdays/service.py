"""Working-day schedules in the database, and deadlines computed with them.

kit.workdays does the counting; this module feeds it the office's overrides, stores a year's schedule
and, when a schedule arrives, recomputes every provisional deadline. Loading a schedule also changes
the timeliness of credit records: ``records.schedules.load_schedule`` is the entry point that does both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.kit.clock import Clock, SystemClock
from xinyong.kit.workdays import WorkCalendar, merge_schedules, parse_schedule
from xinyong.models.workdays import Deadline, WorkdayOverride, WorkdaySchedule
from xinyong.workdays import repository


def calendar(session: Session) -> WorkCalendar:
    """The calendar in force: chinese-calendar plus every override the office loaded; scheduled are
    the years whose own notice is stored (a notice's days in a neighbouring year do not count)."""
    return WorkCalendar(
        overrides=repository.overrides(session), scheduled_years=repository.scheduled_years(session)
    )


def _window(year: int) -> tuple[dt.date, dt.date]:
    """The days a notice for ``year`` may move: that year and its neighbours."""
    return dt.date(max(year - 1, dt.MINYEAR), 1, 1), dt.date(min(year + 1, dt.MAXYEAR), 12, 31)


def _store_overrides(session: Session, year: int, before: dict[dt.date, bool]) -> list[dt.date]:
    """Store again, from the stored notices, every override of the days a notice for ``year`` may move;
    returns the days whose override was added, removed or changed since ``before``.

    Each day is decided by the notice ``merge_schedules`` ranks first for it (the day's own year's
    notice), which is the notice the override row points to; a neighbouring year's notice does not
    schedule that year. Notices two years away may move days of the neighbouring years, so they are
    read too.
    """
    first, last = _window(year)
    notices = [
        parse_schedule(row.source_text) for row in repository.schedules_between(session, year - 2, year + 2)
    ]
    merged = merge_schedules(notices)
    rows = [
        WorkdayOverride(day=day, is_workday=entry.is_workday, name=entry.name, year=entry.notice_year)
        for day, entry in sorted(merged.items())
        if first <= day <= last
    ]
    repository.replace_overrides(session, first, last, rows)
    after = {row.day: row.is_workday for row in rows}
    return sorted(day for day in before.keys() | after.keys() if before.get(day) != after.get(day))


@dataclass(frozen=True)
class ScheduleLoaded:
    year: int
    holidays: int
    workdays: int
    recomputed: int
    replaced: bool
    #: Credit records whose timeliness was recomputed with the loaded schedule; filled by
    #: records.schedules.load_schedule, the entry point that also recomputes records (0 here).
    recomputed_records: int = 0
    #: The days whose stored override the load added, removed or changed (in the year or a neighbour).
    changed_days: tuple[dt.date, ...] = ()


def load_schedule(session: Session, text: str, *, actor: str, clock: Clock | None = None) -> ScheduleLoaded:
    """Store (or replace) one year's schedule and recompute the provisional deadlines it now covers,
    and every deadline holding a day whose status changed (a neighbouring year's day, or a corrected
    notice's)."""
    clock = clock or SystemClock()
    schedule = parse_schedule(text)
    existing = repository.schedule(session, schedule.year)
    stored = repository.overrides_between(session, *_window(schedule.year))
    before = None
    if existing is not None:
        before = {"year": existing.year, "source": existing.source, "text": existing.source_text}
        repository.remove_schedule(session, existing)
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
    changed = _store_overrides(session, schedule.year, stored)
    # a replaced schedule may move what the earlier one settled: then the whole year is recomputed
    replaced_year = schedule.year if existing is not None else None
    recomputed = recompute_provisional(session, actor=actor, clock=clock, year=replaced_year, days=changed)
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
    overrides = schedule.overrides()
    return ScheduleLoaded(
        year=schedule.year,
        holidays=sum(1 for v in overrides.values() if not v),
        workdays=sum(1 for v in overrides.values() if v),
        recomputed=recomputed,
        replaced=existing is not None,
        changed_days=tuple(changed),
    )


def set_deadline(
    session: Session,
    *,
    owner_type: str,
    owner_id: str,
    kind: str,
    start: dt.date,
    workdays: int,
    actor: str = "system",
    clock: Clock | None = None,
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
    audit.record(
        session,
        actor=actor,
        action="deadline.set",
        entity="deadline",
        entity_id=row.id,
        after=_deadline_state(row),
        detail={"owner": f"{owner_type}:{owner_id}", "kind": kind},
        clock=clock,
    )
    return row


def _deadline_state(row: Deadline) -> dict[str, object]:
    return {
        "owner_type": row.owner_type,
        "owner_id": row.owner_id,
        "kind": row.kind,
        "start_date": row.start_date.isoformat(),
        "workdays": row.workdays,
        "due_date": row.due_date.isoformat(),
        "provisional": row.provisional,
    }


def recompute_provisional(
    session: Session,
    *,
    actor: str = "system",
    clock: Clock | None = None,
    year: int | None = None,
    days: Iterable[dt.date] = (),
) -> int:
    """Recompute every provisional deadline with the calendar now in force, with ``year`` (a
    replaced schedule) also every deadline whose span touches that year, and every deadline whose
    span holds one of ``days`` (days whose status changed); returns how many changed.

    Each change is audited (``deadline.recomputed``)."""
    cal = calendar(session)
    changed = 0
    for row in repository.deadlines_to_recompute(session, year, days):
        result = cal.add_workdays(row.start_date, row.workdays)
        if result.date != row.due_date or result.provisional != row.provisional:
            before = _deadline_state(row)
            row.due_date, row.provisional = result.date, result.provisional
            session.flush()
            audit.record(
                session,
                actor=actor,
                action="deadline.recomputed",
                entity="deadline",
                entity_id=row.id,
                before=before,
                after=_deadline_state(row),
                clock=clock,
            )
            changed += 1
    session.flush()
    return changed
