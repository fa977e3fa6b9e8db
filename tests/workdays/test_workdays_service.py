"""Schedules in the database, and provisional deadlines recomputed when a year's schedule arrives."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.kit.clock import FixedClock
from xinyong.kit.errors import InvalidInput
from xinyong.models import AuditEntry
from xinyong.workdays import service

from calendarworld import Y

#: A schedule for Y, a year chinese_calendar does not cover (laid out like 2027: 02-01 a Monday).
SCHEDULE_Y = f"""\
year: {Y}
source: "国务院办公厅关于{Y}年部分节假日安排的通知（演示）"
holidays:
  - {{name: 元旦, start: {Y}-01-01, end: {Y}-01-03}}
  - {{name: 春节, start: {Y}-02-05, end: {Y}-02-12}}
workdays:
  - {{name: 春节调休, date: {Y}-02-14}}
"""


def test_database_calendar_matches_national_holidays(session: Session) -> None:
    cal = service.calendar(session)
    result = cal.add_workdays(dt.date(2025, 9, 26), 15)
    assert result.date == dt.date(2025, 10, 23) and not result.provisional


def test_provisional_deadline_is_recomputed_when_the_year_is_loaded(
    session: Session, clock: FixedClock
) -> None:
    deadline = service.set_deadline(
        session, owner_type="objection", owner_id="1", kind="answer", start=dt.date(Y, 2, 1), workdays=15
    )
    assert deadline.provisional
    assert deadline.due_date == dt.date(Y, 2, 22)  # weekdays only
    loaded = service.load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)
    assert loaded.year == Y and loaded.holidays == 11 and loaded.workdays == 1 and loaded.recomputed == 1
    session.refresh(deadline)
    assert not deadline.provisional
    # Feb 2-4 (3), Feb 14 make-up (4), Feb 15-19 (9), Feb 22-26 (14), Mar 1 (15)
    assert deadline.due_date == dt.date(Y, 3, 1)
    assert not service.calendar(session).is_workday(dt.date(Y, 2, 8))


def test_loading_again_replaces_the_year(session: Session, clock: FixedClock) -> None:
    service.load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)
    second = service.load_schedule(
        session, SCHEDULE_Y.replace(f"end: {Y}-02-12", f"end: {Y}-02-11"), actor="office", clock=clock
    )
    assert second.replaced and second.holidays == 10
    assert service.calendar(session).is_workday(dt.date(Y, 2, 12))


def test_bad_schedule_is_refused_and_nothing_stored(session: Session, clock: FixedClock) -> None:
    with pytest.raises(InvalidInput) as err:
        service.load_schedule(
            session, SCHEDULE_Y.replace(f"start: {Y}-01-01", f"start: {Y - 2}-12-31"), actor="o", clock=clock
        )
    assert err.value.code == "WORKDAYS_SCHEDULE_INVALID"
    assert f"start {Y - 2}-12-31 不在 {Y - 1}—{Y + 1} 年内" in err.value.message
    assert service.calendar(session).is_provisional(dt.date(Y, 5, 5))


def test_setting_and_recomputing_a_deadline_is_audited(session: Session, clock: FixedClock) -> None:
    deadline = service.set_deadline(
        session,
        owner_type="objection",
        owner_id="7",
        kind="answer",
        start=dt.date(Y, 2, 1),
        workdays=15,
        actor="office",
        clock=clock,
    )
    service.load_schedule(session, SCHEDULE_Y, actor="office", clock=clock)
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "deadline", AuditEntry.entity_id == str(deadline.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("deadline.set", "office"),
        ("deadline.recomputed", "office"),
    ]
    assert entries[0].after_digest == audit.digest(
        {
            "owner_type": "objection",
            "owner_id": "7",
            "kind": "answer",
            "start_date": f"{Y}-02-01",
            "workdays": 15,
            "due_date": f"{Y}-02-22",
            "provisional": True,
        }
    )
    assert audit.verify(session).ok
