"""Stored notices that cross the year boundary: a notice's days in the year before or after its own
are stored and followed, but that year is scheduled only by its own notice (issue 9, rule 5).

Y is a year chinese_calendar does not cover (calendarworld), laid out like 2027: Y-12-24 a Friday,
Y-12-26 a Sunday, Y-12-30 a Thursday, Y-12-31 a Friday, Y+1-01-03 a Monday.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.kit.clock import FixedClock
from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import default_calendar
from xinyong.models import WorkdayOverride
from xinyong.workdays import repository, service

from calendarworld import BRIDGE_SCHEDULES, LAST_COVERED, NEXT_YEAR_NOTICE, Y
from conftest import Database

D = dt.date

#: Y's own notice, saying nothing about Y's December.
NOTICE_Y = f"""\
year: {Y}
source: "国务院办公厅关于{Y}年部分节假日安排的通知（测试用）"
holidays:
  - {{name: 元旦, start: {Y}-01-01, end: {Y}-01-03}}
  - {{name: 国庆节, start: {Y}-10-01, end: {Y}-10-07}}
"""

#: Y's own notice disputing a day the notice for Y + 1 moves: Y-12-26 a day off, not a make-up day.
NOTICE_Y_DISPUTING = NOTICE_Y + f"  - {{name: 岁末, start: {Y}-12-25, end: {Y}-12-26}}\n"


def _load(session: Session, clock: FixedClock, *texts: str) -> list[service.ScheduleLoaded]:
    return [service.load_schedule(session, text, actor="office", clock=clock) for text in texts]


def _owner(session: Session, day: dt.date) -> int | None:
    """The year of the notice the stored override of ``day`` comes from (None: no override)."""
    row = session.get(WorkdayOverride, day)
    return None if row is None else row.year


def test_next_years_notice_is_stored_and_followed_but_leaves_the_year_provisional(
    session: Session, clock: FixedClock
) -> None:
    _load(session, clock, *BRIDGE_SCHEDULES)
    to_new_year = service.set_deadline(
        session, owner_type="objection", owner_id="1", kind="answer", start=D(Y, 12, 30), workdays=1
    )
    over_christmas = service.set_deadline(
        session, owner_type="objection", owner_id="2", kind="answer", start=D(Y, 12, 24), workdays=1
    )
    assert (to_new_year.due_date, to_new_year.provisional) == (D(Y, 12, 31), True)
    assert (over_christmas.due_date, over_christmas.provisional) == (D(Y, 12, 27), True)

    (loaded,) = _load(session, clock, NEXT_YEAR_NOTICE)
    assert (loaded.year, loaded.holidays, loaded.workdays, loaded.recomputed) == (Y + 1, 3, 1, 2)
    assert loaded.changed_days == (D(Y, 12, 26), D(Y, 12, 31), D(Y + 1, 1, 1), D(Y + 1, 1, 2))
    assert repository.scheduled_years(session) == {*range(LAST_COVERED + 1, Y), Y + 1}
    assert _owner(session, D(Y, 12, 31)) == Y + 1 and _owner(session, D(Y, 12, 26)) == Y + 1
    cal = service.calendar(session)
    assert not cal.is_workday(D(Y, 12, 31)) and cal.is_workday(D(Y, 12, 26))
    assert Y not in cal.scheduled_years
    assert cal.is_provisional(D(Y, 6, 1)) and cal.is_provisional(D(Y, 12, 30))
    assert not cal.is_provisional(D(Y + 1, 6, 1))
    session.refresh(to_new_year)
    session.refresh(over_christmas)
    assert (to_new_year.due_date, to_new_year.provisional) == (D(Y + 1, 1, 3), True)
    assert (over_christmas.due_date, over_christmas.provisional) == (D(Y, 12, 26), True)

    # Y's own notice schedules Y; the December days still follow the notice for Y + 1
    (own,) = _load(session, clock, NOTICE_Y)
    assert own.year == Y and not own.replaced
    assert {Y, Y + 1} <= repository.scheduled_years(session)
    cal = service.calendar(session)
    assert not cal.is_provisional(D(Y, 6, 1))
    assert not cal.is_workday(D(Y, 12, 31)) and cal.is_workday(D(Y, 12, 26))
    assert not cal.is_workday(D(Y, 1, 1)) and not cal.is_workday(D(Y, 10, 4))
    session.refresh(to_new_year)
    assert (to_new_year.due_date, to_new_year.provisional) == (D(Y + 1, 1, 3), False)


@pytest.mark.parametrize("own_first", [True, False], ids=["own-notice-first", "next-notice-first"])
def test_the_days_own_notice_wins_a_disputed_day_in_either_load_order(
    session: Session, clock: FixedClock, own_first: bool
) -> None:
    order = [NOTICE_Y_DISPUTING, NEXT_YEAR_NOTICE] if own_first else [NEXT_YEAR_NOTICE, NOTICE_Y_DISPUTING]
    _load(session, clock, *order)
    assert _owner(session, D(Y, 12, 26)) == Y and _owner(session, D(Y, 12, 31)) == Y + 1
    cal = service.calendar(session)
    assert not cal.is_workday(D(Y, 12, 26))  # Y's own notice, over the make-up day of Y + 1's
    assert not cal.is_workday(D(Y, 12, 31))  # undisputed: Y + 1's notice
    assert {Y, Y + 1} <= cal.scheduled_years


def test_replacing_a_notice_brings_back_the_other_notices_days(session: Session, clock: FixedClock) -> None:
    _load(session, clock, NOTICE_Y_DISPUTING, NEXT_YEAR_NOTICE)
    # a corrected notice for Y without the dispute: the notice for Y + 1 decides Y-12-26 again
    (corrected,) = _load(session, clock, NOTICE_Y)
    assert corrected.replaced and corrected.changed_days == (D(Y, 12, 25), D(Y, 12, 26))
    assert _owner(session, D(Y, 12, 26)) == Y + 1 and _owner(session, D(Y, 12, 25)) is None
    assert service.calendar(session).is_workday(D(Y, 12, 26))
    # a corrected notice for Y + 1 that leaves Y's December alone: those days are ordinary again
    only_its_own = NEXT_YEAR_NOTICE.replace(f"start: {Y}-12-31", f"start: {Y + 1}-01-01")
    (next_corrected,) = _load(
        session, clock, only_its_own.replace(f"date: {Y}-12-26", f"date: {Y + 1}-01-08")
    )
    assert next_corrected.changed_days == (D(Y, 12, 26), D(Y, 12, 31), D(Y + 1, 1, 8))
    assert _owner(session, D(Y, 12, 26)) is None and _owner(session, D(Y, 12, 31)) is None
    cal = service.calendar(session)
    assert cal.is_workday(D(Y, 12, 31)) and not cal.is_workday(D(Y, 12, 26))
    assert cal.is_workday(D(Y + 1, 1, 8)) and not cal.is_workday(D(Y + 1, 1, 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (f"start: {Y}-01-01", f"start: {Y - 2}-12-31", f"holidays 第1项：start {Y - 2}-12-31 不在"),
        (f"end: {Y}-10-07", f"end: {Y + 2}-01-01", f"holidays 第2项：end {Y + 2}-01-01 不在"),
    ],
)
def test_a_date_two_years_away_is_refused_and_nothing_stored(
    session: Session, clock: FixedClock, old: str, new: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        _load(session, clock, NOTICE_Y.replace(old, new))
    assert err.value.code == "WORKDAYS_SCHEDULE_INVALID"
    assert message in err.value.message and f"{Y - 1}—{Y + 1} 年内" in err.value.message
    assert repository.scheduled_years(session) == set()
    assert session.scalars(select(WorkdayOverride)).first() is None


def test_a_notice_moving_a_day_of_a_covered_year_recomputes_its_settled_deadlines(
    session: Session, clock: FixedClock
) -> None:
    first = LAST_COVERED + 1
    cal = default_calendar()
    day = cal.add_workdays(D(first, 1, 1), -1).date  # the covered year's last working day
    start = cal.add_workdays(day, -1).date
    deadline = service.set_deadline(
        session, owner_type="objection", owner_id="3", kind="answer", start=start, workdays=1
    )
    assert (deadline.due_date, deadline.provisional) == (day, False)
    notice = (
        f'year: {first}\nsource: "示例"\nholidays:\n  - {{name: 元旦, start: {day}, end: {first}-01-01}}\n'
    )
    (loaded,) = _load(session, clock, notice)
    assert loaded.recomputed == 1 and day in loaded.changed_days
    assert repository.scheduled_years(session) == {first}
    session.refresh(deadline)
    expected = next(D(first, 1, k) for k in range(2, 9) if D(first, 1, k).weekday() < 5)
    assert (deadline.due_date, deadline.provisional) == (expected, False)
    assert not service.calendar(session).is_workday(day)


def _cli(db: Database, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    env["XINYONG_DATABASE_URL"] = db.url
    done = subprocess.run(
        [sys.executable, "-m", "xinyong", "workdays", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_cli_load_keeps_the_adjacent_year_provisional_until_its_own_notice(
    fresh_database: Database, tmp_path: Path
) -> None:
    for position, text in enumerate([*BRIDGE_SCHEDULES, NEXT_YEAR_NOTICE]):
        path = tmp_path / f"notice-{position}.yaml"
        path.write_text(text, encoding="utf-8")
        assert "已载入" in _cli(fresh_database, "load", str(path))
    assert _cli(fresh_database, "is-workday", f"{Y}-12-31") == "休息日 provisional"
    assert _cli(fresh_database, "is-workday", f"{Y}-12-26") == "工作日 provisional"
    assert _cli(fresh_database, "is-workday", f"{Y + 1}-01-03") == "工作日"
    own = tmp_path / f"{Y}.yaml"
    own.write_text(NOTICE_Y, encoding="utf-8")
    assert f"已载入 {Y} 年安排" in _cli(fresh_database, "load", str(own))
    assert _cli(fresh_database, "is-workday", f"{Y}-12-31") == "休息日"
    assert _cli(fresh_database, "is-workday", f"{Y}-06-01") == "工作日"
