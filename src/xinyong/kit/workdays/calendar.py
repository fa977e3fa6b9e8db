"""The working-day calendar and the counting (see :mod:`xinyong.kit.workdays` for the rules).

Per-year tables of workday ordinals are built once per calendar and then every query is a
couple of ``bisect`` calls (plus a sum of cached per-year counts for spans over many years).
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import chinese_calendar

from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays.schedule import YearSchedule, merge_schedules

__all__ = [
    "WORKDAYS_INPUT_INVALID",
    "WorkCalendar",
    "WorkdayCount",
    "WorkdayResult",
    "add_workdays",
    "builtin_covers",
    "default_calendar",
    "is_provisional",
    "is_workday",
    "next_workday",
    "previous_workday",
    "workdays_between",
    "workdays_between_many",
]

WORKDAYS_INPUT_INVALID = "WORKDAYS_INPUT_INVALID"

_MIN_YEAR = dt.MINYEAR
_MAX_YEAR = dt.MAXYEAR


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class WorkdayResult:
    """A date reached by counting working days; ``provisional`` if any examined day lies in a
    year without a reliable schedule."""

    date: dt.date
    provisional: bool


@dataclass(frozen=True, slots=True)
class WorkdayCount:
    """A number of working days; ``provisional`` as for :class:`WorkdayResult`."""

    days: int
    provisional: bool


# --------------------------------------------------------------------------- chinese_calendar


_builtin_lock = threading.Lock()
_builtin_coverage: dict[int, bool] = {}


def builtin_covers(year: int) -> bool:
    """Whether the installed ``chinese_calendar`` has data for ``year``."""
    known = _builtin_coverage.get(year)
    if known is not None:
        return known
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return False
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        covered = False
    else:
        covered = True
    with _builtin_lock:
        _builtin_coverage[year] = covered
    return covered


# --------------------------------------------------------------------------- input checks


def _day(value: object, what: str = "日期") -> dt.date:
    """Accept a ``date`` (a ``datetime`` is reduced to its date); reject anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise InvalidInput(
        f"{what}必须是日期，收到的是 {type(value).__name__}",
        code=WORKDAYS_INPUT_INVALID,
        details={"field": what},
    )


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            f"工作日天数必须是整数，收到的是 {type(value).__name__}",
            code=WORKDAYS_INPUT_INVALID,
            details={"field": "n"},
        )
    return value


def _out_of_range() -> InvalidInput:
    return InvalidInput("推算结果超出可表示的日期范围（公元1年至9999年）", code=WORKDAYS_INPUT_INVALID)


# --------------------------------------------------------------------------- calendar


class _YearTable:
    """The workdays of one year as a sorted tuple of ordinals, computed once."""

    __slots__ = ("ordinals", "provisional")

    def __init__(self, ordinals: tuple[int, ...], provisional: bool) -> None:
        self.ordinals = ordinals
        self.provisional = provisional


class WorkCalendar:
    """Chinese working days with the credit office's overrides and loaded schedules.

    Instances are immutable in behaviour and safe to share between threads; per-year tables are
    filled lazily.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        scheduled_years: Collection[int] = (),
    ) -> None:
        clean: dict[dt.date, bool] = {}
        for key, value in (overrides or {}).items():
            if isinstance(key, dt.datetime) or not isinstance(key, dt.date):
                raise InvalidInput(
                    f"调整表的键必须是日期，收到的是 {key!r}",
                    code=WORKDAYS_INPUT_INVALID,
                    details={"field": "overrides"},
                )
            if not isinstance(value, bool):
                raise InvalidInput(
                    f"调整表中 {key.isoformat()} 的值必须是 True（工作日）或 False（休息日）",
                    code=WORKDAYS_INPUT_INVALID,
                    details={"field": "overrides", "date": key.isoformat()},
                )
            clean[key] = value
        years: set[int] = set()
        for year in scheduled_years:
            if isinstance(year, bool) or not isinstance(year, int):
                raise InvalidInput(
                    f"已排定年份必须是整数，收到的是 {year!r}",
                    code=WORKDAYS_INPUT_INVALID,
                    details={"field": "scheduled_years"},
                )
            years.add(year)
        self._overrides: Mapping[dt.date, bool] = MappingProxyType(clean)
        self._scheduled_years: frozenset[int] = frozenset(years)
        self._tables: dict[int, _YearTable] = {}
        self._spans: dict[tuple[int, int], tuple[int, bool]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_schedules(
        cls,
        schedules: Iterable[YearSchedule],
        overrides: Mapping[dt.date, bool] | None = None,
    ) -> WorkCalendar:
        """A calendar from the office's yearly schedules; explicit ``overrides`` win over them.

        A notice's days in an adjacent year apply, but only the notices' own years are scheduled;
        where two notices list the same day, the one :func:`merge_schedules` ranks first decides.
        """
        listed = list(schedules)
        merged = {day: entry.is_workday for day, entry in merge_schedules(listed).items()}
        merged.update(overrides or {})
        years = {schedule.year for schedule in listed}
        return cls(merged, years)

    def __repr__(self) -> str:
        years = sorted(self._scheduled_years)
        return f"WorkCalendar(overrides={len(self._overrides)} days, scheduled_years={years})"

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        return self._overrides

    @property
    def scheduled_years(self) -> frozenset[int]:
        return self._scheduled_years

    # ---------------------------------------------------------------- per-day rules

    def _year_is_provisional(self, year: int) -> bool:
        return not builtin_covers(year) and year not in self._scheduled_years

    def _rule(self, day: dt.date, builtin: bool) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override
        if builtin:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is not None:
            return table
        builtin = builtin_covers(year)
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        ordinals = tuple(
            ordinal for ordinal in range(first, last + 1) if self._rule(dt.date.fromordinal(ordinal), builtin)
        )
        table = _YearTable(ordinals, self._year_is_provisional(year))
        with self._lock:
            return self._tables.setdefault(year, table)

    def _any_provisional(self, first_year: int, last_year: int) -> bool:
        return any(self._table(year).provisional for year in range(first_year, last_year + 1))

    # ---------------------------------------------------------------- queries

    def is_workday(self, d: dt.date) -> bool:
        """Whether ``d`` is a working day (an override wins; see the module docstring)."""
        day = _day(d)
        ordinals = self._table(day.year).ordinals
        ordinal = day.toordinal()
        index = bisect_left(ordinals, ordinal)
        return index < len(ordinals) and ordinals[index] == ordinal

    def is_provisional(self, d: dt.date) -> bool:
        """Whether ``d`` lies in a year with neither ``chinese_calendar`` data nor a loaded schedule."""
        return self._table(_day(d).year).provisional

    def add_workdays(self, start: dt.date, n: int) -> WorkdayResult:
        """The ``n``-th working day strictly after ``start`` (strictly before it if ``n < 0``).

        ``n == 0`` returns ``start`` itself; the status of ``start`` never counts.
        """
        day = _day(start, "起始日期")
        steps = _count(n)
        if steps == 0:
            return WorkdayResult(day, False)
        ordinal = day.toordinal()
        year = day.year
        if steps > 0:
            remaining = steps
            table = self._table(year).ordinals
            index = bisect_right(table, ordinal)
            while remaining > len(table) - index:
                remaining -= len(table) - index
                year += 1
                if year > _MAX_YEAR:
                    raise _out_of_range()
                table = self._table(year).ordinals
                index = 0
            result = table[index + remaining - 1]
            first_year = day.year if (day.month, day.day) != (12, 31) else day.year + 1
            return WorkdayResult(dt.date.fromordinal(result), self._any_provisional(first_year, year))
        remaining = -steps
        table = self._table(year).ordinals
        index = bisect_left(table, ordinal)
        while remaining > index:
            remaining -= index
            year -= 1
            if year < _MIN_YEAR:
                raise _out_of_range()
            table = self._table(year).ordinals
            index = len(table)
        result = table[index - remaining]
        last_year = day.year if (day.month, day.day) != (1, 1) else day.year - 1
        return WorkdayResult(dt.date.fromordinal(result), self._any_provisional(year, last_year))

    def workdays_between(self, start: dt.date, end: dt.date) -> WorkdayCount:
        """The number of working days ``d`` with ``start < d <= end``.

        If ``end < start`` the result is the negative of ``workdays_between(end, start)``.
        O(log n): two ``bisect`` calls plus a memoised sum over the whole years in between.
        """
        low = start if type(start) is dt.date else _day(start, "起始日期")
        high = end if type(end) is dt.date else _day(end, "截止日期")
        if high < low:
            days, provisional = self._between(high, low)
            return WorkdayCount(-days, provisional)
        days, provisional = self._between(low, high)
        return WorkdayCount(days, provisional)

    def _between(self, low: dt.date, high: dt.date) -> tuple[int, bool]:
        """Working days in ``(low, high]`` for ``low <= high``, and whether any of them is provisional."""
        if low == high:
            return 0, False
        low_year = low.year
        high_year = high.year
        tables = self._tables
        low_table = tables.get(low_year) or self._table(low_year)
        if low_year == high_year:
            ordinals = low_table.ordinals
            days = bisect_right(ordinals, high.toordinal()) - bisect_right(ordinals, low.toordinal())
            return days, low_table.provisional
        high_table = tables.get(high_year) or self._table(high_year)
        days = len(low_table.ordinals) - bisect_right(low_table.ordinals, low.toordinal())
        days += bisect_right(high_table.ordinals, high.toordinal())
        # low itself is excluded, so its year is examined unless low is its last day
        provisional = high_table.provisional or (low_table.provisional and (low.month, low.day) != (12, 31))
        if high_year - low_year > 1:
            span = self._spans.get((low_year + 1, high_year - 1)) or self._whole_years(
                low_year + 1, high_year - 1
            )
            days += span[0]
            provisional = provisional or span[1]
        return days, provisional

    def _whole_years(self, first: int, last: int) -> tuple[int, bool]:
        """Working days in the years ``first..last`` inclusive, memoised per calendar."""
        days = 0
        provisional = False
        for year in range(first, last + 1):
            table = self._table(year)
            days += len(table.ordinals)
            provisional = provisional or table.provisional
        with self._lock:
            return self._spans.setdefault((first, last), (days, provisional))

    def workdays_between_many(self, pairs: Iterable[tuple[dt.date, dt.date]]) -> list[WorkdayCount]:
        """:meth:`workdays_between` for each ``(start, end)`` pair, in order."""
        return [self.workdays_between(start, end) for start, end in pairs]

    def next_workday(self, d: dt.date, *, inclusive: bool = False) -> WorkdayResult:
        """The first working day after ``d`` (or ``d`` itself if ``inclusive`` and it is one)."""
        day = _day(d)
        if inclusive and self.is_workday(day):
            return WorkdayResult(day, self.is_provisional(day))
        return self.add_workdays(day, 1)

    def previous_workday(self, d: dt.date, *, inclusive: bool = False) -> WorkdayResult:
        """The last working day before ``d`` (or ``d`` itself if ``inclusive`` and it is one)."""
        day = _day(d)
        if inclusive and self.is_workday(day):
            return WorkdayResult(day, self.is_provisional(day))
        return self.add_workdays(day, -1)


_DEFAULT_CALENDAR = WorkCalendar()


def default_calendar() -> WorkCalendar:
    """The shared calendar with no overrides and no loaded schedules."""
    return _DEFAULT_CALENDAR


def _pick(calendar: WorkCalendar | None) -> WorkCalendar:
    return _DEFAULT_CALENDAR if calendar is None else calendar


def is_workday(d: dt.date, calendar: WorkCalendar | None = None) -> bool:
    return _pick(calendar).is_workday(d)


def is_provisional(d: dt.date, calendar: WorkCalendar | None = None) -> bool:
    return _pick(calendar).is_provisional(d)


def add_workdays(start: dt.date, n: int, calendar: WorkCalendar | None = None) -> WorkdayResult:
    return _pick(calendar).add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date, calendar: WorkCalendar | None = None) -> WorkdayCount:
    return _pick(calendar).workdays_between(a, b)


def workdays_between_many(
    pairs: Iterable[tuple[dt.date, dt.date]], calendar: WorkCalendar | None = None
) -> list[WorkdayCount]:
    return _pick(calendar).workdays_between_many(pairs)


def next_workday(
    d: dt.date, calendar: WorkCalendar | None = None, *, inclusive: bool = False
) -> WorkdayResult:
    return _pick(calendar).next_workday(d, inclusive=inclusive)


def previous_workday(
    d: dt.date, calendar: WorkCalendar | None = None, *, inclusive: bool = False
) -> WorkdayResult:
    return _pick(calendar).previous_workday(d, inclusive=inclusive)
