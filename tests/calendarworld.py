"""The years chinese_calendar covers, and an example year it does not, derived from the library itself.

Tests of working days in a year without official data (provisional results, schedules loaded later)
take that year from here instead of naming it, so a newer release of chinese_calendar moves the
examples instead of breaking them. The examples were written for 2027 (1 January a Friday, not a
leap year) followed by 2028 (leap); :data:`Y` is the first uncovered year laid out the same way, so
every weekday they mention is still right. The uncovered years before it (:data:`BRIDGE`) can be
loaded as empty schedules (:data:`BRIDGE_SCHEDULES`), after which they count on weekdays and are no
longer provisional: a span from ``Y - 1`` into ``Y`` is then provisional only for ``Y``'s sake.
:data:`NEXT_YEAR_NOTICE` is a notice for ``Y + 1`` that also moves days of ``Y``'s December.
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt

import chinese_calendar

__all__ = [
    "BRIDGE",
    "BRIDGE_SCHEDULES",
    "FIRST_COVERED",
    "LAST_COVERED",
    "NEXT_YEAR_NOTICE",
    "Y",
    "empty_schedule",
    "laid_out_like",
]


def _library_years() -> tuple[int, int]:
    """The first and last year the installed chinese_calendar has holiday data for."""
    years = {day.year for day in chinese_calendar.holidays}
    return min(years), max(years)


FIRST_COVERED, LAST_COVERED = _library_years()


def laid_out_like(year: int, template: int) -> bool:
    """Whether ``year`` has the same calendar as ``template`` (weekday of 1 January, leap or not)."""
    same_start = dt.date(year, 1, 1).weekday() == dt.date(template, 1, 1).weekday()
    return same_start and gregorian.isleap(year) == gregorian.isleap(template)


def _example_year() -> int:
    """The first year after the library's data laid out like 2027, followed by one laid out like 2028."""
    year = LAST_COVERED + 1
    while not (laid_out_like(year, 2027) and laid_out_like(year + 1, 2028)):
        year += 1
    return year


#: A year the library does not cover, laid out like 2027 (2027 itself while the library ends in 2026).
Y = _example_year()
#: Uncovered years between the library's data and :data:`Y` (none while Y follows it directly).
BRIDGE = tuple(range(LAST_COVERED + 1, Y))


def empty_schedule(year: int) -> str:
    """A schedule file for ``year`` with no holidays and no make-up workdays."""
    return f'year: {year}\nsource: "{year}年无节假日安排（测试用）"\n'


#: The bridge years' empty schedules, to load (in this order) before a test that crosses into Y.
BRIDGE_SCHEDULES = tuple(empty_schedule(year) for year in BRIDGE)


#: The notice for ``Y + 1`` moving days of Y's December, as the 2019 notice moved 2018's: 元旦 from
#: Y-12-31 (a Friday) to Y+1-01-02 (a Sunday), and Y-12-26 (a Sunday) a make-up workday.
NEXT_YEAR_NOTICE = f"""\
year: {Y + 1}
source: "国务院办公厅关于{Y + 1}年部分节假日安排的通知（测试用）"
holidays:
  - {{name: 元旦, start: {Y}-12-31, end: {Y + 1}-01-02}}
workdays:
  - {{name: 元旦调休, date: {Y}-12-26}}
"""
