"""Working-day arithmetic: known holiday arrangements, schedules, overrides and the algebra.

Nothing depends on today's date. Dates in years chinese_calendar covers are fixed; the years it
does not cover are derived from its own data (calendarworld: :data:`~calendarworld.Y` and the years
before it), so a newer release of the library moves the examples instead of breaking them.
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
from collections.abc import Collection, Mapping

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import (
    SCHEDULE_INVALID,
    HolidaySpan,
    WorkCalendar,
    WorkdayCount,
    WorkdayResult,
    YearSchedule,
    add_workdays,
    builtin_covers,
    default_calendar,
    is_provisional,
    is_workday,
    next_workday,
    parse_schedule,
    previous_workday,
    workdays_between,
    workdays_between_many,
)

from calendarworld import BRIDGE, FIRST_COVERED, LAST_COVERED, Y

D = dt.date


SCHEDULE = f"""\
year: {Y}
source: "国务院办公厅关于{Y}年部分节假日安排的通知（示例）"
holidays:
  - {{name: 元旦, start: {Y}-01-01, end: {Y}-01-03}}
  - {{name: 春节, start: {Y}-02-06, end: {Y}-02-14}}
  - {{name: 清明节, start: {Y}-04-03, end: {Y}-04-05}}
  - {{name: 劳动节, start: {Y}-05-01, end: {Y}-05-05}}
  - {{name: 国庆节, start: {Y}-10-01, end: {Y}-10-07}}
workdays:
  - {{name: 春节调休, date: {Y}-02-20}}
  - {{name: 劳动节调休, date: {Y}-04-25}}
  - {{name: 国庆节调休, date: {Y}-09-26}}
  - {{name: 国庆节调休, date: "{Y}-10-09"}}
"""

DEFAULT = default_calendar()
#: The example year's schedule loaded (and the bridge years, if any, scheduled with no holidays).
WITH_Y = WorkCalendar.from_schedules(
    [parse_schedule(SCHEDULE), *(YearSchedule(year, "示例", (), ()) for year in BRIDGE)]
)


def _ref_is_workday(d: dt.date, overrides: Mapping[dt.date, bool], scheduled: Collection[int]) -> bool:
    """The rules, written out naively and independently of the module's tables."""
    if d in overrides:
        return overrides[d]
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return d.weekday() < 5


def _ref_uncovered(year: int, scheduled: Collection[int]) -> bool:
    try:
        chinese_calendar.is_workday(D(year, 6, 1))
    except NotImplementedError:
        return year not in scheduled
    return False


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Days d with start < d <= end."""
    return [D.fromordinal(o) for o in range(start.toordinal() + 1, end.toordinal() + 1)]


# --------------------------------------------------------------------------- 2025 National Day


def test_national_day_2025_days_off_and_makeup_days() -> None:
    for day in range(1, 9):
        assert not is_workday(D(2025, 10, day))
    assert is_workday(D(2025, 9, 28))  # Sunday, make-up workday
    assert is_workday(D(2025, 10, 11))  # Saturday, make-up workday
    assert D(2025, 9, 28).weekday() == 6 and D(2025, 10, 11).weekday() == 5
    assert not is_workday(D(2025, 10, 12))
    assert not is_provisional(D(2025, 10, 1))


def test_add_workdays_across_national_day_2025() -> None:
    # 2025-09-26 is a Friday. Working days after it: 09-28(1) 09-29(2) 09-30(3) 10-09(4) 10-10(5)
    # 10-11(6) 10-13..10-17(7..11) 10-20..10-24(12..16).
    assert add_workdays(D(2025, 9, 26), 15) == WorkdayResult(D(2025, 10, 23), False)
    assert add_workdays(D(2025, 9, 26), 5) == WorkdayResult(D(2025, 10, 10), False)
    assert add_workdays(D(2025, 9, 26), 1).date == D(2025, 9, 28)
    assert add_workdays(D(2025, 9, 26), 4).date == D(2025, 10, 9)
    assert add_workdays(D(2025, 9, 26), 6).date == D(2025, 10, 11)


def test_workdays_between_across_national_day_2025() -> None:
    assert workdays_between(D(2025, 9, 26), D(2025, 10, 10)) == WorkdayCount(5, False)
    assert workdays_between(D(2025, 9, 26), D(2025, 10, 17)) == WorkdayCount(11, False)
    # 10-20 is the 12th working day after 09-26 (the 15th is 10-23, see above), so the count is 12.
    assert workdays_between(D(2025, 9, 26), D(2025, 10, 20)) == WorkdayCount(12, False)
    assert workdays_between(D(2025, 9, 26), D(2025, 10, 23)).days == 15
    # the holiday itself adds nothing
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 8)).days == 0
    # reversed order gives the negative
    assert workdays_between(D(2025, 10, 10), D(2025, 9, 26)) == WorkdayCount(-5, False)


def test_counts_agree_with_chinese_calendar_day_by_day() -> None:
    start, end = D(2025, 9, 26), D(2025, 10, 20)
    expected = sum(1 for d in _days(start, end) if chinese_calendar.is_workday(d))
    assert expected == 12
    assert workdays_between(start, end).days == expected


def test_backwards_window_before_issue() -> None:
    # "window ending 1 working day before issue": issue on 2025-10-09 -> 2025-09-30
    assert add_workdays(D(2025, 10, 9), -1) == WorkdayResult(D(2025, 9, 30), False)
    assert previous_workday(D(2025, 10, 9)).date == D(2025, 9, 30)
    # issue on a Monday after a make-up Saturday: 2025-10-13 -> 2025-10-11 (Saturday, workday)
    assert add_workdays(D(2025, 10, 13), -1).date == D(2025, 10, 11)
    assert add_workdays(D(2025, 10, 10), -5).date == D(2025, 9, 26)


# --------------------------------------------------------------------------- 2026 Spring Festival


def test_spring_festival_2026_matches_chinese_calendar() -> None:
    for ordinal in range(D(2026, 2, 15).toordinal(), D(2026, 2, 23).toordinal() + 1):
        day = D.fromordinal(ordinal)
        assert not chinese_calendar.is_workday(day)
        assert not is_workday(day)
    for makeup in (D(2026, 2, 14), D(2026, 2, 28)):
        assert makeup.weekday() == 5
        assert chinese_calendar.is_workday(makeup)
        assert is_workday(makeup)


def test_span_across_spring_festival_2026() -> None:
    # 2026-02-12 Thu; after it: 02-13 Fri(1), 02-14 Sat make-up(2), 02-15..02-23 off, 02-24 Tue(3)
    assert add_workdays(D(2026, 2, 12), 1).date == D(2026, 2, 13)
    assert add_workdays(D(2026, 2, 12), 2).date == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 12), 3) == WorkdayResult(D(2026, 2, 24), False)
    # 02-24..02-27 (4) and the make-up Saturday 02-28 (5), plus 02-14 -> 6 after 02-13
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 27)).days == 5
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 28)) == WorkdayCount(6, False)
    assert workdays_between(D(2026, 2, 14), D(2026, 2, 23)).days == 0
    assert add_workdays(D(2026, 2, 24), -1).date == D(2026, 2, 14)
    assert next_workday(D(2026, 2, 15)).date == D(2026, 2, 24)
    assert next_workday(D(2026, 2, 24), inclusive=True).date == D(2026, 2, 24)
    assert previous_workday(D(2026, 2, 20), inclusive=True).date == D(2026, 2, 14)


def test_start_status_never_counts() -> None:
    # starting on a holiday or on a workday gives the same next day
    assert add_workdays(D(2025, 10, 1), 1).date == D(2025, 10, 9)
    assert add_workdays(D(2025, 9, 30), 1).date == D(2025, 10, 9)
    assert add_workdays(D(2025, 10, 3), 0) == WorkdayResult(D(2025, 10, 3), False)
    assert workdays_between(D(2025, 10, 3), D(2025, 10, 3)) == WorkdayCount(0, False)


# --------------------------------------------------------------------------- provisional years and schedules


def test_an_uncovered_year_is_derived_from_the_library() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(LAST_COVERED + 1, 1, 1))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(FIRST_COVERED - 1, 12, 31))
    assert not builtin_covers(Y) and not builtin_covers(Y + 1) and builtin_covers(LAST_COVERED)
    assert D(Y, 1, 1).weekday() == 4 and D(Y + 1, 1, 1).weekday() == 5 and gregorian.isleap(Y + 1)


def test_unscheduled_example_year_is_provisional_weekdays_only() -> None:
    assert is_provisional(D(Y, 3, 1))
    assert is_workday(D(Y, 2, 8))  # a Monday inside the example Spring Festival: weekday rule only
    # Y-02-05 is a Friday; weekdays only -> 02-08..02-12
    assert add_workdays(D(Y, 2, 5), 5) == WorkdayResult(D(Y, 2, 12), True)
    assert workdays_between(D(Y, 2, 5), D(Y, 2, 19)) == WorkdayCount(10, True)
    # n == 0 examines no day at all
    assert add_workdays(D(Y, 2, 6), 0) == WorkdayResult(D(Y, 2, 6), False)


def test_schedule_makes_the_example_year_definite_and_moves_results() -> None:
    assert not WITH_Y.is_provisional(D(Y, 3, 1))
    assert not WITH_Y.is_workday(D(Y, 2, 8))
    assert WITH_Y.is_workday(D(Y, 2, 20))  # make-up Saturday
    # 02-06..02-14 off: after Friday 02-05 come 02-15..02-19
    assert WITH_Y.add_workdays(D(Y, 2, 5), 5) == WorkdayResult(D(Y, 2, 19), False)
    assert WITH_Y.workdays_between(D(Y, 2, 5), D(Y, 2, 19)) == WorkdayCount(5, False)
    # the make-up Saturday counts
    assert WITH_Y.workdays_between(D(Y, 2, 19), D(Y, 2, 22)) == WorkdayCount(2, False)
    # where no holiday falls the two calendars agree, and only the flag differs
    assert WITH_Y.add_workdays(D(Y, 3, 1), 10).date == add_workdays(D(Y, 3, 1), 10).date
    assert WITH_Y.add_workdays(D(Y, 3, 1), 10).provisional is False
    assert add_workdays(D(Y, 3, 1), 10).provisional is True


def test_span_into_the_example_year() -> None:
    # Y-1 ends on a Thursday, Y begins on a Friday; the default calendar counts 01-01 as a weekday
    assert workdays_between(D(Y - 1, 12, 25), D(Y, 1, 8)) == WorkdayCount(10, True)
    assert WITH_Y.workdays_between(D(Y - 1, 12, 25), D(Y, 1, 8)) == WorkdayCount(9, False)
    assert add_workdays(D(Y - 1, 12, 30), 2) == WorkdayResult(D(Y, 1, 1), True)
    assert WITH_Y.add_workdays(D(Y - 1, 12, 30), 2) == WorkdayResult(D(Y, 1, 4), False)


def test_span_from_the_last_covered_year_into_the_next() -> None:
    last, first = LAST_COVERED, LAST_COVERED + 1
    span = (D(last, 12, 25), D(first, 1, 8))
    # the uncovered part counts weekdays only, and the result says so
    expected = sum(1 for d in _days(*span) if _ref_is_workday(d, {}, ()))
    assert workdays_between(*span) == WorkdayCount(expected, True)
    first_weekday = next(d for d in (D(first, 1, k) for k in range(1, 8)) if d.weekday() < 5)
    assert add_workdays(D(last, 12, 31), 1) == WorkdayResult(first_weekday, True)
    # a schedule for that year makes the same span definite
    new_year = HolidaySpan(D(first, 1, 1), D(first, 1, 3), "元旦")
    scheduled = WorkCalendar.from_schedules([YearSchedule(first, "示例", (new_year,), ())])
    expected = sum(1 for d in _days(*span) if _ref_is_workday(d, scheduled.overrides, ()))
    assert scheduled.workdays_between(*span) == WorkdayCount(expected, False)
    # staying inside the covered year is not provisional, even starting on its last day backwards
    assert workdays_between(D(last, 12, 1), D(last, 12, 31)).provisional is False
    assert add_workdays(D(last, 12, 31), -3).provisional is False
    # starting on 1 January and going back only into the covered year examines no uncovered day
    back = add_workdays(D(first, 1, 1), -1)
    assert back.date.year == last and back.provisional is False
    jan_1 = 1 if D(first, 1, 1).weekday() < 5 else 0
    assert workdays_between(D(first, 1, 1), D(last, 12, 31)) == WorkdayCount(-jan_1, True)
    assert workdays_between(D(last, 12, 31), D(first, 1, 1)) == WorkdayCount(jan_1, True)


def test_years_before_the_library_are_provisional_too() -> None:
    first, before = FIRST_COVERED, FIRST_COVERED - 1
    assert is_provisional(D(before, 12, 31))
    assert workdays_between(D(before, 12, 26), D(first, 1, 5)).provisional is True
    assert not chinese_calendar.is_workday(D(first, 1, 1))  # 元旦
    last_weekday = max(d for d in (D(before, 12, 31 - k) for k in range(7)) if d.weekday() < 5)
    assert add_workdays(D(first, 1, 2), -1) == WorkdayResult(last_weekday, True)
    assert add_workdays(D(first, 1, 2), 1).provisional is False
    assert workdays_between(D(before, 12, 31), D(first, 1, 5)).provisional is False


def test_far_years_are_never_refused() -> None:
    assert add_workdays(D(LAST_COVERED + 124, 6, 1), 250).provisional is True
    assert workdays_between(D(1990, 1, 1), D(2100, 1, 1)).days > 25_000


def test_overrides_win_over_chinese_calendar() -> None:
    office = WorkCalendar({D(2026, 3, 2): False, D(2026, 3, 7): True, D(2025, 10, 3): True})
    assert chinese_calendar.is_workday(D(2026, 3, 2))
    assert not office.is_workday(D(2026, 3, 2))  # Monday declared a day off
    assert office.is_workday(D(2026, 3, 7))  # Saturday declared a workday
    assert office.is_workday(D(2025, 10, 3))  # inside a national holiday
    assert not office.is_provisional(D(2026, 3, 2))
    # 2026-02-27 Fri; default: 02-28 Sat(1), 03-02(2); with overrides: 02-28(1), 03-03(2)
    assert add_workdays(D(2026, 2, 27), 2).date == D(2026, 3, 2)
    assert office.add_workdays(D(2026, 2, 27), 2) == WorkdayResult(D(2026, 3, 3), False)
    assert workdays_between(D(2026, 2, 27), D(2026, 3, 9)).days == 7
    assert office.workdays_between(D(2026, 2, 27), D(2026, 3, 9)).days == 7  # -1 Monday, +1 Saturday
    assert office.workdays_between(D(2026, 2, 27), D(2026, 3, 6)).days == 5
    # the default calendar is unaffected
    assert is_workday(D(2026, 3, 2))


def test_override_in_provisional_year_applies_but_year_stays_provisional() -> None:
    office = WorkCalendar({D(Y + 1, 1, 3): False})
    assert not office.is_workday(D(Y + 1, 1, 3))
    assert office.is_provisional(D(Y + 1, 1, 3))
    assert office.add_workdays(D(Y, 12, 31), 1) == WorkdayResult(D(Y + 1, 1, 4), True)


def test_scheduled_year_without_overrides_is_weekday_only_and_definite() -> None:
    office = WorkCalendar(scheduled_years=[Y + 1])
    assert not office.is_provisional(D(Y + 1, 5, 1))
    assert office.is_workday(D(Y + 1, 5, 1))  # a Monday; 劳动节 only once a schedule says so
    assert not office.is_workday(D(Y + 1, 5, 6))


def test_explicit_overrides_win_over_schedules() -> None:
    office = WorkCalendar.from_schedules([parse_schedule(SCHEDULE)], {D(Y, 2, 8): True})
    assert office.is_workday(D(Y, 2, 8))
    assert not office.is_workday(D(Y, 2, 9))
    assert office.scheduled_years == frozenset({Y})


def test_duplicate_schedule_year_rejected() -> None:
    schedule = parse_schedule(SCHEDULE)
    with pytest.raises(InvalidInput) as info:
        WorkCalendar.from_schedules([schedule, schedule])
    assert info.value.code == SCHEDULE_INVALID


def test_bad_inputs_raise_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        add_workdays(D(2025, 1, 1), 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        add_workdays(D(2025, 1, 1), True)
    with pytest.raises(InvalidInput):
        is_workday("2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        WorkCalendar({D(2025, 1, 1): 1})  # type: ignore[dict-item]
    with pytest.raises(InvalidInput):
        WorkCalendar({dt.datetime(2025, 1, 1): True})
    with pytest.raises(InvalidInput):
        WorkCalendar(scheduled_years=["2027"])  # type: ignore[list-item]
    with pytest.raises(InvalidInput) as info:
        add_workdays(D(9999, 12, 30), 5)
    assert info.value.status == 422
    with pytest.raises(InvalidInput):
        add_workdays(D(1, 1, 2), -5)


def test_datetime_is_reduced_to_its_date() -> None:
    assert add_workdays(dt.datetime(2025, 9, 26, 18, 30), 5).date == D(2025, 10, 10)
    assert is_workday(dt.datetime(2025, 10, 1, 9, 0)) is False
    assert workdays_between(dt.datetime(2025, 9, 26, 23, 59), D(2025, 10, 10)).days == 5


def test_long_spans_with_provisional_years_in_the_middle() -> None:
    # Y and Y+1 lie wholly inside the span: the memoised whole-year sums must carry the flag
    assert workdays_between(D(Y - 1, 6, 1), D(Y + 2, 6, 1)).provisional is True
    assert workdays_between(D(FIRST_COVERED - 3, 6, 1), D(FIRST_COVERED + 1, 6, 1)).provisional is True
    assert workdays_between(D(FIRST_COVERED, 6, 1), D(LAST_COVERED, 6, 1)).provisional is False
    scheduled = WorkCalendar(scheduled_years=range(LAST_COVERED + 1, Y + 2))
    assert scheduled.workdays_between(D(LAST_COVERED, 6, 1), D(Y + 2, 1, 1)) == WorkdayCount(
        workdays_between(D(LAST_COVERED, 6, 1), D(Y + 2, 1, 1)).days, True
    )
    assert scheduled.workdays_between(D(LAST_COVERED, 6, 1), D(Y + 1, 12, 31)).provisional is False


def test_workdays_between_many_matches_single_calls() -> None:
    pairs = [
        (D(2025, 9, 26), D(2025, 10, 20)),
        (D(2026, 2, 28), D(2026, 2, 13)),
        (D(2020, 1, 1), D(2026, 1, 1)),
    ]
    assert workdays_between_many(pairs) == [workdays_between(a, b) for a, b in pairs]
    assert WITH_Y.workdays_between_many(pairs) == [WITH_Y.workdays_between(a, b) for a, b in pairs]


# --------------------------------------------------------------------------- properties

CALENDARS = {
    "default": DEFAULT,
    "with_example": WITH_Y,
    "office": WorkCalendar(
        {D(2026, 3, 2): False, D(2026, 3, 7): True, D(Y + 1, 1, 3): False, D(2010, 6, 12): True},
        scheduled_years=[Y + 2],
    ),
}

dates = st.dates(min_value=D(FIRST_COVERED, 1, 1), max_value=D(Y + 2, 12, 31))
calendars = st.sampled_from(sorted(CALENDARS))
counts = st.integers(min_value=0, max_value=400)
signed_counts = st.integers(min_value=-400, max_value=400)

# a date far enough from the edges of ``dates`` that counting 400 working days stays inside them
inner_dates = st.dates(min_value=D(FIRST_COVERED + 2, 1, 1), max_value=D(Y, 12, 31))


@given(d=dates, name=calendars)
def test_is_workday_follows_the_rules(d: dt.date, name: str) -> None:
    calendar = CALENDARS[name]
    assert calendar.is_workday(d) == _ref_is_workday(d, calendar.overrides, calendar.scheduled_years)
    assert calendar.is_provisional(d) == _ref_uncovered(d.year, calendar.scheduled_years)


@given(s=inner_dates, n=st.integers(min_value=1, max_value=400), name=calendars)
@settings(deadline=None)  # correctness, not speed: a loaded CI machine must not fail it
def test_add_workdays_lands_on_a_workday(s: dt.date, n: int, name: str) -> None:
    calendar = CALENDARS[name]
    assert calendar.is_workday(calendar.add_workdays(s, n).date)
    assert calendar.is_workday(calendar.add_workdays(s, -n).date)


@given(s=inner_dates, n=signed_counts, name=calendars)
@settings(deadline=None)
def test_add_workdays_matches_day_by_day_reference(s: dt.date, n: int, name: str) -> None:
    calendar = CALENDARS[name]
    step = 1 if n >= 0 else -1
    day, left = s, abs(n)
    while left:
        day = D.fromordinal(day.toordinal() + step)
        if _ref_is_workday(day, calendar.overrides, calendar.scheduled_years):
            left -= 1
    assert calendar.add_workdays(s, n).date == day


@given(s=inner_dates, n=counts, name=calendars)
@settings(deadline=None)  # correctness, not speed: a loaded CI machine must not fail it
def test_between_inverts_add(s: dt.date, n: int, name: str) -> None:
    calendar = CALENDARS[name]
    end = calendar.add_workdays(s, n).date
    assert calendar.workdays_between(s, end).days == n
    assert calendar.workdays_between(end, s).days == -n


@given(s=inner_dates, a=counts, b=counts, name=calendars)
@settings(deadline=None)  # correctness, not speed: a loaded CI machine must not fail it
def test_add_is_monotonic_in_n(s: dt.date, a: int, b: int, name: str) -> None:
    calendar = CALENDARS[name]
    low, high = sorted((a, b))
    assert calendar.add_workdays(s, low).date <= calendar.add_workdays(s, high).date
    if low < high:
        assert calendar.add_workdays(s, low).date < calendar.add_workdays(s, high).date


@given(s=inner_dates, a=st.integers(-200, 200), b=st.integers(-200, 200), name=calendars)
def test_add_composes_when_same_direction(s: dt.date, a: int, b: int, name: str) -> None:
    calendar = CALENDARS[name]
    if a * b >= 0:
        assert (
            calendar.add_workdays(calendar.add_workdays(s, a).date, b).date
            == calendar.add_workdays(s, a + b).date
        )


@given(s=inner_dates, a=counts, b=counts, name=calendars)
def test_add_composes_forward(s: dt.date, a: int, b: int, name: str) -> None:
    calendar = CALENDARS[name]
    assert (
        calendar.add_workdays(calendar.add_workdays(s, a).date, b).date
        == calendar.add_workdays(s, a + b).date
    )


@given(a=dates, b=dates, c=dates, name=calendars)
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_between_is_additive(a: dt.date, b: dt.date, c: dt.date, name: str) -> None:
    calendar = CALENDARS[name]
    ab = calendar.workdays_between(a, b).days
    bc = calendar.workdays_between(b, c).days
    assert ab + bc == calendar.workdays_between(a, c).days


@given(a=dates, b=dates, name=calendars)
@settings(deadline=None)
def test_between_matches_day_by_day_reference(a: dt.date, b: dt.date, name: str) -> None:
    calendar = CALENDARS[name]
    low, high = sorted((a, b))
    span = _days(low, high)
    expected = sum(1 for d in span if _ref_is_workday(d, calendar.overrides, calendar.scheduled_years))
    if b < a:
        expected = -expected
    result = calendar.workdays_between(a, b)
    assert result.days == expected
    # provisional iff some counted-over day lies in an uncovered year
    assert result.provisional == any(_ref_uncovered(d.year, calendar.scheduled_years) for d in span)


@given(s=inner_dates, n=st.integers(min_value=1, max_value=400), name=calendars)
def test_negative_n_is_the_inverse_from_a_workday(s: dt.date, n: int, name: str) -> None:
    calendar = CALENDARS[name]
    start = calendar.next_workday(s, inclusive=True).date
    forward = calendar.add_workdays(start, n).date
    assert calendar.add_workdays(forward, -n).date == start
    backward = calendar.add_workdays(start, -n).date
    assert calendar.add_workdays(backward, n).date == start


@given(s=inner_dates, n=signed_counts, name=calendars)
@settings(deadline=None)
def test_provisional_iff_touching_an_uncovered_year(s: dt.date, n: int, name: str) -> None:
    calendar = CALENDARS[name]
    result = calendar.add_workdays(s, n)
    if n >= 0:
        examined = _days(s, result.date)
    else:
        examined = [D.fromordinal(o) for o in range(result.date.toordinal(), s.toordinal())]
    expected = any(_ref_uncovered(d.year, calendar.scheduled_years) for d in examined)
    assert result.provisional == expected


@given(s=inner_dates, n=counts)
def test_schedule_changes_nothing_outside_its_year(s: dt.date, n: int) -> None:
    plain = DEFAULT.add_workdays(s, n)
    scheduled = WITH_Y.add_workdays(s, n)
    if not plain.provisional:
        assert scheduled == plain
    elif scheduled.date.year <= Y:
        assert scheduled.provisional is False
