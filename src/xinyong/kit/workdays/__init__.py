"""Chinese working days: the one place that decides whether a date is a 工作日 and counts them.

:mod:`~xinyong.kit.workdays.calendar` holds the calendar and the counting,
:mod:`~xinyong.kit.workdays.schedule` the yearly holiday schedules the office loads; this package
re-exports both.

Where the answer comes from, in order of precedence:

1. ``overrides`` — dates the credit office declared itself (``True`` = 工作日, ``False`` = 休息日);
2. the ``chinese_calendar`` package, for the years it covers (2004–2026 from chinesecalendar 1.11,
   the first release with 2026 and the floor in pyproject.toml; it raises ``NotImplementedError``
   for any other year);
3. a year listed in ``scheduled_years`` — the office has loaded that year's full schedule, so
   weekdays are workdays, weekends are not, and the overrides carry the holidays and 调休;
4. any other year is *provisional*: weekdays only, and every result touching it says so.

Work is never refused for an unknown year; it is flagged. Provisionality is a property of a whole
year (an override for one day does not make the rest of an unscheduled year reliable). A notice may
move days of the year before or after its own (a December day off before 元旦): those days follow it,
but that neighbouring year stays provisional until its own notice is loaded; where two notices list
the same day, the day's own year's notice wins (see :mod:`~xinyong.kit.workdays.schedule`).

Counting conventions (``n`` working days "after" a date never counts the date itself)::

    add_workdays(s, n)       the n-th working day strictly after s (n > 0),
                             the n-th working day strictly before s (n < 0), s itself (n == 0)
    workdays_between(a, b)   the number of working days d with a < d <= b (negative if b < a)

so ``workdays_between(s, add_workdays(s, n).date).days == n`` for every ``n >= 0``.
"""

from xinyong.kit.workdays.calendar import (
    WORKDAYS_INPUT_INVALID,
    WorkCalendar,
    WorkdayCount,
    WorkdayResult,
    add_workdays,
    builtin_covers,
    default_calendar,
    is_provisional,
    is_workday,
    next_workday,
    previous_workday,
    workdays_between,
    workdays_between_many,
)
from xinyong.kit.workdays.schedule import (
    SCHEDULE_INVALID,
    HolidaySpan,
    MakeupWorkday,
    ScheduledDay,
    YearSchedule,
    merge_schedules,
    parse_schedule,
)

__all__ = [
    "SCHEDULE_INVALID",
    "WORKDAYS_INPUT_INVALID",
    "HolidaySpan",
    "MakeupWorkday",
    "ScheduledDay",
    "WorkCalendar",
    "WorkdayCount",
    "WorkdayResult",
    "YearSchedule",
    "add_workdays",
    "builtin_covers",
    "default_calendar",
    "is_provisional",
    "is_workday",
    "merge_schedules",
    "next_workday",
    "parse_schedule",
    "previous_workday",
    "workdays_between",
    "workdays_between_many",
]
