"""Yearly holiday schedules (节假日安排): what the State Council publishes and the office loads.

A schedule file is YAML (read by :func:`xinyong.kit.yamlio.load_yaml`: duplicate keys refused,
dates kept as text and checked here, so a bad date is reported against its entry)::

    year: 2027
    source: "国务院办公厅关于2027年部分节假日安排的通知"
    holidays:
      - {name: 春节, start: 2027-02-06, end: 2027-02-14}
    workdays:
      - {name: 春节调休, date: 2027-02-20}

A notice may move days of the neighbouring years (the 2019 notice made 2018-12-30/31 days off and
2018-12-29 a make-up workday), so an entry may be dated in ``year - 1`` or ``year + 1``; anything
further is refused. Such a day follows the notice, but the neighbouring year does not thereby become
scheduled: a year is scheduled only by its own notice (``WorkCalendar.scheduled_years``).

When two loaded notices list the same day (:func:`merge_schedules`), the notice of the day's own year
wins; between two notices of other years (the one before and the one after), the later one wins. The
answer never depends on the order in which notices were loaded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import yaml

from xinyong.kit.errors import InvalidInput
from xinyong.kit.yamlio import load_yaml, problem_of

__all__ = [
    "SCHEDULE_INVALID",
    "HolidaySpan",
    "MakeupWorkday",
    "ScheduledDay",
    "YearSchedule",
    "merge_schedules",
    "parse_schedule",
]

SCHEDULE_INVALID = "WORKDAYS_SCHEDULE_INVALID"

_MIN_YEAR: Final = dt.MINYEAR
_MAX_YEAR: Final = dt.MAXYEAR


class HolidaySpan(NamedTuple):
    """Days off from ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date
    name: str


class MakeupWorkday(NamedTuple):
    """A weekend day declared a working day (调休)."""

    date: dt.date
    name: str


class ScheduledDay(NamedTuple):
    """A day a notice moved: a working day or not, under which name, and by the notice of which year."""

    is_workday: bool
    name: str
    notice_year: int


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's holiday arrangement as published by the State Council and loaded by the office.

    Its entries lie in ``year`` or, for a notice that moves a neighbouring year's days, in
    ``year - 1`` or ``year + 1``; loading it schedules ``year`` only."""

    year: int
    source: str
    holidays: tuple[HolidaySpan, ...]
    workdays: tuple[MakeupWorkday, ...]

    def overrides(self) -> dict[dt.date, bool]:
        """Every holiday day as ``False`` and every make-up workday as ``True`` (adjacent years' too)."""
        return {day: entry.is_workday for day, entry in self.days().items()}

    def days(self) -> dict[dt.date, ScheduledDay]:
        """Every day this notice moves, with the name of its holiday or make-up workday."""
        result: dict[dt.date, ScheduledDay] = {}
        for span in self.holidays:
            for ordinal in range(span.start.toordinal(), span.end.toordinal() + 1):
                result[dt.date.fromordinal(ordinal)] = ScheduledDay(False, span.name, self.year)
        for makeup in self.workdays:
            result[makeup.date] = ScheduledDay(True, makeup.name, self.year)
        return result


def _rank(day: dt.date, notice_year: int) -> tuple[bool, int]:
    """The precedence of a notice for ``day``: its own year's notice first, then the later notice."""
    return notice_year == day.year, notice_year


def merge_schedules(schedules: Iterable[YearSchedule]) -> dict[dt.date, ScheduledDay]:
    """Every day the notices move, each decided by the notice that ranks first for it (see the module
    docstring); two notices for the same year are refused."""
    merged: dict[dt.date, ScheduledDay] = {}
    years: set[int] = set()
    for schedule in schedules:
        if schedule.year in years:
            raise _schedule_error(f"{schedule.year} 年的节假日安排重复加载", year=schedule.year)
        years.add(schedule.year)
        for day, entry in schedule.days().items():
            held = merged.get(day)
            if held is None or _rank(day, entry.notice_year) > _rank(day, held.notice_year):
                merged[day] = entry
    return merged


_TOP_KEYS = frozenset({"year", "source", "holidays", "workdays"})
_HOLIDAY_KEYS = frozenset({"name", "start", "end"})
_WORKDAY_KEYS = frozenset({"name", "date"})


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _schedule_error(message: str, **details: Any) -> InvalidInput:
    return InvalidInput(message, code=SCHEDULE_INVALID, details=details)


def _entry_date(
    entry: Mapping[str, Any], field: str, where: str, year: int, section: str, index: int
) -> dt.date:
    if field not in entry:
        raise _schedule_error(f"{where}：缺少 {field}", section=section, index=index, field=field)
    value = entry[field]
    if isinstance(value, str):
        text = value.strip()
        try:
            if not _ISO_DATE.fullmatch(text):
                raise ValueError(text)
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise _schedule_error(
                f"{where}：{field} 不是 YYYY-MM-DD 格式的日期（{value}）",
                section=section,
                index=index,
                field=field,
            ) from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _schedule_error(
            f"{where}：{field} 不是 YYYY-MM-DD 格式的日期（{value!r}）",
            section=section,
            index=index,
            field=field,
        )
    if abs(value.year - year) > 1:
        raise _schedule_error(
            f"{where}：{field} {value.isoformat()} 不在 {year - 1}—{year + 1} 年内"
            f"（{year} 年的通知只能调整本年及前后相邻年份的日期）",
            section=section,
            index=index,
            field=field,
        )
    return value


def _entry_name(entry: Mapping[str, Any], where: str, section: str, index: int) -> str:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _schedule_error(f"{where}：name 必须是非空文字", section=section, index=index, field="name")
    return name.strip()


def _entries(raw: Mapping[str, Any], section: str, keys: frozenset[str]) -> list[Mapping[str, Any]]:
    items = raw.get(section)
    if items is None:
        return []
    if not isinstance(items, list):
        raise _schedule_error(f"{section} 必须是列表", section=section)
    checked: list[Mapping[str, Any]] = []
    for position, item in enumerate(items, start=1):
        where = f"{section} 第{position}项"
        if not isinstance(item, dict):
            raise _schedule_error(
                f"{where}：应为包含 {'、'.join(sorted(keys))} 的映射", section=section, index=position
            )
        unknown = sorted(str(key) for key in item if key not in keys)
        if unknown:
            raise _schedule_error(
                f"{where}：无法识别的字段 {'、'.join(unknown)}",
                section=section,
                index=position,
                field=unknown[0],
            )
        checked.append(item)
    return checked


def parse_schedule(text: str) -> YearSchedule:
    """Parse and validate one year's schedule file (YAML); see ``YearSchedule``.

    Raises :class:`InvalidInput` (code ``WORKDAYS_SCHEDULE_INVALID``) naming the entry and field.
    """
    raw = _load(text)
    year, source = _header(raw)
    holidays, taken = _holidays(raw, year)
    workdays = _workdays(raw, year, holidays, taken)
    return YearSchedule(year=year, source=source, holidays=tuple(holidays), workdays=tuple(workdays))


def _load(text: str) -> dict[Any, Any]:
    """The file as a mapping with only the known top-level keys."""
    try:
        raw = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        problem, line, column = problem_of(exc)
        where = f"第 {line} 行第 {column} 列：" if line is not None else ""
        raise _schedule_error(f"节假日安排文件不是合法的 YAML：{where}{problem}") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise _schedule_error(f"节假日安排文件不是合法的 YAML：{exc}") from None
    if not isinstance(raw, dict):
        raise _schedule_error("节假日安排文件的顶层应为包含 year、source、holidays、workdays 的映射")
    unknown = sorted(str(key) for key in raw if key not in _TOP_KEYS)
    if unknown:
        raise _schedule_error(f"无法识别的字段 {'、'.join(unknown)}", field=unknown[0])
    return raw


def _header(raw: Mapping[str, Any]) -> tuple[int, str]:
    """The schedule's year and the notice it follows."""
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _schedule_error("year 必须是四位数年份", field="year")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _schedule_error("source 必须注明依据的通知名称", field="source")
    return year, source.strip()


def _holidays(raw: Mapping[str, Any], year: int) -> tuple[list[HolidaySpan], dict[dt.date, int]]:
    """The holiday spans, and for each day off the (1-based) position of the span holding it."""
    holidays: list[HolidaySpan] = []
    taken: dict[dt.date, int] = {}
    for position, entry in enumerate(_entries(raw, "holidays", _HOLIDAY_KEYS), start=1):
        where = f"holidays 第{position}项"
        name = _entry_name(entry, where, "holidays", position)
        start = _entry_date(entry, "start", where, year, "holidays", position)
        end = _entry_date(entry, "end", where, year, "holidays", position)
        if end < start:
            raise _schedule_error(f"{where}：end 早于 start", section="holidays", index=position, field="end")
        for ordinal in range(start.toordinal(), end.toordinal() + 1):
            day = dt.date.fromordinal(ordinal)
            other = taken.get(day)
            if other is not None:
                raise _schedule_error(
                    f"{where}：与 holidays 第{other}项日期重叠（{day.isoformat()}）",
                    section="holidays",
                    index=position,
                    field="start",
                )
            taken[day] = position
        holidays.append(HolidaySpan(start, end, name))
    return holidays, taken


def _workdays(
    raw: Mapping[str, Any], year: int, holidays: list[HolidaySpan], taken: Mapping[dt.date, int]
) -> list[MakeupWorkday]:
    """The make-up workdays: none on a listed holiday, none twice."""
    workdays: list[MakeupWorkday] = []
    seen: dict[dt.date, int] = {}
    for position, entry in enumerate(_entries(raw, "workdays", _WORKDAY_KEYS), start=1):
        where = f"workdays 第{position}项"
        name = _entry_name(entry, where, "workdays", position)
        day = _entry_date(entry, "date", where, year, "workdays", position)
        if day in taken:
            clash = taken[day]
            clash_name = holidays[clash - 1].name
            raise _schedule_error(
                f"{where}：date {day.isoformat()} 同时列在 holidays 第{clash}项（{clash_name}）中",
                section="workdays",
                index=position,
                field="date",
            )
        if day in seen:
            raise _schedule_error(
                f"{where}：date {day.isoformat()} 与 workdays 第{seen[day]}项重复",
                section="workdays",
                index=position,
                field="date",
            )
        seen[day] = position
        workdays.append(MakeupWorkday(day, name))
    return workdays
