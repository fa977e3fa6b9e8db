"""Holiday schedule files (节假日安排): parsing, and errors that name the entry and the field.

Parsing does not depend on which years chinese_calendar covers, so the dates here are fixed. The
calendars built from notices that cross the year boundary use a year the library does not cover
(calendarworld), so that it can be provisional.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import (
    SCHEDULE_INVALID,
    HolidaySpan,
    MakeupWorkday,
    ScheduledDay,
    WorkCalendar,
    WorkdayResult,
    YearSchedule,
    default_calendar,
    merge_schedules,
    parse_schedule,
)

from calendarworld import BRIDGE, LAST_COVERED, NEXT_YEAR_NOTICE, Y

D = dt.date

SCHEDULE_2027 = """\
year: 2027
source: "国务院办公厅关于2027年部分节假日安排的通知（示例）"
holidays:
  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
  - {name: 春节, start: 2027-02-06, end: 2027-02-14}
  - {name: 清明节, start: 2027-04-03, end: 2027-04-05}
  - {name: 劳动节, start: 2027-05-01, end: 2027-05-05}
  - {name: 国庆节, start: 2027-10-01, end: 2027-10-07}
workdays:
  - {name: 春节调休, date: 2027-02-20}
  - {name: 劳动节调休, date: 2027-04-25}
  - {name: 国庆节调休, date: 2027-09-26}
  - {name: 国庆节调休, date: "2027-10-09"}
"""


def test_parse_example_schedule() -> None:
    schedule = parse_schedule(SCHEDULE_2027)
    assert isinstance(schedule, YearSchedule)
    assert schedule.year == 2027
    assert schedule.source == "国务院办公厅关于2027年部分节假日安排的通知（示例）"
    assert schedule.holidays[0] == HolidaySpan(D(2027, 1, 1), D(2027, 1, 3), "元旦")
    assert schedule.holidays[1] == (D(2027, 2, 6), D(2027, 2, 14), "春节")
    assert schedule.workdays[3] == MakeupWorkday(D(2027, 10, 9), "国庆节调休")
    overrides = schedule.overrides()
    assert overrides[D(2027, 1, 1)] is False
    assert overrides[D(2027, 2, 10)] is False
    assert overrides[D(2027, 2, 20)] is True
    assert len(overrides) == 3 + 9 + 3 + 5 + 7 + 4


def test_schedule_without_workdays_section() -> None:
    schedule = parse_schedule(
        'year: 2028\nsource: "示例"\nholidays:\n  - {name: 元旦, start: 2028-01-01, end: 2028-01-01}\n'
    )
    assert schedule.workdays == ()
    assert schedule.overrides() == {D(2028, 1, 1): False}


BAD_SCHEDULES = [
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}\n"
        "  - {name: 春节, start: 2027-02-14, end: 2027-02-06}\n",
        "holidays 第2项：end 早于 start",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, start: 2025-12-31, end: 2027-01-03}\n",
        "holidays 第1项：start 2025-12-31 不在 2026—2028 年内",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, start: 2027-12-31, end: 2029-01-01}\n",
        "holidays 第1项：end 2029-01-01 不在 2026—2028 年内",
    ),
    (
        "year: 2027\nsource: x\nworkdays:\n  - {name: 调休, date: 2029-01-06}\n",
        "workdays 第1项：date 2029-01-06 不在 2026—2028 年内",
    ),
    (
        "year: 2027\nsource: x\nworkdays:\n  - {name: 调休, date: 2025-12-28}\n",
        "workdays 第1项：date 2025-12-28 不在 2026—2028 年内",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 春节, start: 2027-02-06, end: 2027-02-14}\n"
        "workdays:\n  - {name: 春节调休, date: 2027-02-06}\n",
        "workdays 第1项：date 2027-02-06 同时列在 holidays 第1项（春节）中",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, end: 2027-01-03}\n",
        "holidays 第1项：缺少 start",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, start: 2027-13-01, end: 2027-01-03}\n",
        "holidays 第1项：start 不是 YYYY-MM-DD 格式的日期",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {start: 2027-01-01, end: 2027-01-03}\n",
        "holidays 第1项：name 必须是非空文字",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, start: 2027-01-01, end: 2027-01-03, days: 3}\n",
        "holidays 第1项：无法识别的字段 days",
    ),
    (
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}\n"
        "  - {name: 重复, start: 2027-01-03, end: 2027-01-04}\n",
        "holidays 第2项：与 holidays 第1项日期重叠",
    ),
    (
        "year: 2027\nsource: x\nworkdays:\n"
        "  - {name: 调休, date: 2027-02-20}\n  - {name: 调休, date: 2027-02-20}\n",
        "workdays 第2项：date 2027-02-20 与 workdays 第1项重复",
    ),
    (
        "year: 2027\nsource: x\nworkdays:\n  - {name: 调休, date: 20270220}\n",
        "workdays 第1项：date 不是 YYYY-MM-DD 格式的日期",
    ),
    (
        "year: 2027\nsource: x\nworkdays:\n  - {name: 调休, date: 2027-W07-6}\n",
        "workdays 第1项：date 不是 YYYY-MM-DD 格式的日期",
    ),
    ("year: 2027\nsource: x\nholidays:\n  - 元旦\n", "holidays 第1项：应为包含"),
    ("year: 2027\nsource: x\nholidays: 元旦\n", "holidays 必须是列表"),
    ("year: 2027\nsource: x\nholiday: []\n", "无法识别的字段 holiday"),
    ("year: 二〇二七\nsource: x\n", "year 必须是四位数年份"),
    ("year: 2027\n", "source 必须注明依据的通知名称"),
    ("- 2027\n", "顶层应为"),
    ("year: [2027\n", "不是合法的 YAML"),
    ("year: 2027\nsource: x\nyear: 2028\n", "第 3 行第 1 列：重复的键：year"),
    (
        "year: 2027\nsource: x\nholidays:\n"
        "  - {name: 元旦, name: 新年, start: 2027-01-01, end: 2027-01-01}\n",
        "重复的键：name",
    ),
    (
        "year: 2027\nsource: x\nworkdays:\n  - {name: 调休, date: 2027-02-20 09:00:00}\n",
        "workdays 第1项：date 不是 YYYY-MM-DD 格式的日期",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_SCHEDULES)
def test_invalid_schedules_are_rejected(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_schedule(text)
    assert info.value.code == SCHEDULE_INVALID
    assert info.value.status == 422
    assert message in info.value.message


def test_schedule_error_details_name_entry_and_field() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_schedule(BAD_SCHEDULES[0][0])
    assert info.value.details == {"section": "holidays", "index": 2, "field": "end"}


def test_far_date_error_names_entry_and_field() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_schedule("year: 2027\nsource: x\nworkdays:\n  - {name: 调休, date: 2029-01-06}\n")
    assert info.value.details == {"section": "workdays", "index": 1, "field": "date"}


# --------------------------------------------------------------------------- across the year boundary

#: The 2019 notice as published: 元旦 2018-12-30 to 2019-01-01, 2018-12-29 (Saturday) a make-up day.
NOTICE_2019 = """\
year: 2019
source: "国务院办公厅关于2019年部分节假日安排的通知"
holidays:
  - {name: 元旦, start: 2018-12-30, end: 2019-01-01}
workdays:
  - {name: 元旦调休, date: 2018-12-29}
"""

#: Y's own notice: 元旦 and 国庆节 of Y, nothing about Y's December (as the 2018 notice said nothing of it).
NOTICE_Y = f"""\
year: {Y}
source: "国务院办公厅关于{Y}年部分节假日安排的通知（测试用）"
holidays:
  - {{name: 元旦, start: {Y}-01-01, end: {Y}-01-03}}
  - {{name: 国庆节, start: {Y}-10-01, end: {Y}-10-07}}
"""


def _with_bridge(*schedules: YearSchedule) -> WorkCalendar:
    return WorkCalendar.from_schedules([*schedules, *(YearSchedule(b, "示例", (), ()) for b in BRIDGE)])


def test_a_notice_may_carry_days_of_the_previous_and_the_next_year() -> None:
    notice = parse_schedule(NOTICE_2019)
    assert notice.year == 2019
    assert notice.holidays == (HolidaySpan(D(2018, 12, 30), D(2019, 1, 1), "元旦"),)
    assert notice.overrides() == {
        D(2018, 12, 29): True,
        D(2018, 12, 30): False,
        D(2018, 12, 31): False,
        D(2019, 1, 1): False,
    }
    later = parse_schedule("year: 2027\nsource: x\nworkdays:\n  - {name: 元旦调休, date: 2028-01-08}\n")
    assert later.days() == {D(2028, 1, 8): ScheduledDay(True, "元旦调休", 2027)}


def test_next_years_notice_moves_december_but_the_year_stays_provisional() -> None:
    cal = _with_bridge(parse_schedule(NEXT_YEAR_NOTICE))
    assert not cal.is_workday(D(Y, 12, 31))  # a Friday, 元旦 by the notice for Y + 1
    assert cal.is_workday(D(Y, 12, 26))  # a Sunday, 元旦调休
    assert default_calendar().is_workday(D(Y, 12, 31)) and not default_calendar().is_workday(D(Y, 12, 26))
    assert Y not in cal.scheduled_years and Y + 1 in cal.scheduled_years
    # the rest of Y is weekdays only and provisional; Y + 1 is definite
    assert cal.is_workday(D(Y, 6, 1)) and not cal.is_workday(D(Y, 12, 25))
    assert cal.is_provisional(D(Y, 6, 1)) and cal.is_provisional(D(Y, 12, 30))
    assert not cal.is_provisional(D(Y + 1, 3, 1))
    assert cal.add_workdays(D(Y, 12, 24), 1) == WorkdayResult(D(Y, 12, 26), True)
    assert cal.add_workdays(D(Y, 12, 30), 1) == WorkdayResult(D(Y + 1, 1, 3), True)
    # starting on Y-12-31 examines only days of Y + 1, which its notice settled
    assert cal.add_workdays(D(Y, 12, 31), 1) == WorkdayResult(D(Y + 1, 1, 3), False)


def test_the_years_own_notice_schedules_it_and_both_notices_apply() -> None:
    for notices in ([NEXT_YEAR_NOTICE, NOTICE_Y], [NOTICE_Y, NEXT_YEAR_NOTICE]):
        cal = _with_bridge(*(parse_schedule(text) for text in notices))
        assert {Y, Y + 1} <= cal.scheduled_years
        assert not cal.is_provisional(D(Y, 6, 1))
        assert not cal.is_workday(D(Y, 12, 31)) and cal.is_workday(D(Y, 12, 26))  # Y + 1's notice
        assert not cal.is_workday(D(Y, 1, 1)) and not cal.is_workday(D(Y, 10, 4))  # Y's own
        assert cal.add_workdays(D(Y, 12, 30), 1) == WorkdayResult(D(Y + 1, 1, 3), False)


def test_the_days_own_notice_wins_a_disputed_day_whatever_the_order() -> None:
    own = YearSchedule(Y, "本年通知", (HolidaySpan(D(Y, 12, 25), D(Y, 12, 26), "岁末"),), ())
    following = parse_schedule(NEXT_YEAR_NOTICE)  # Y-12-26 a make-up workday
    for order in ([own, following], [following, own]):
        merged = merge_schedules(order)
        assert merged[D(Y, 12, 26)] == ScheduledDay(False, "岁末", Y)
        assert merged[D(Y, 12, 31)] == ScheduledDay(False, "元旦", Y + 1)
        cal = _with_bridge(*order)
        assert not cal.is_workday(D(Y, 12, 26))
        assert cal.add_workdays(D(Y, 12, 24), 1) == WorkdayResult(D(Y, 12, 27), False)


def test_between_two_other_years_notices_the_later_wins() -> None:
    earlier = YearSchedule(Y - 1, "上年通知", (), (MakeupWorkday(D(Y, 1, 2), "元旦调休"),))
    later = YearSchedule(Y + 1, "下年通知", (HolidaySpan(D(Y, 1, 2), D(Y, 1, 2), "补休"),), ())
    for order in ([earlier, later], [later, earlier]):
        assert merge_schedules(order) == {D(Y, 1, 2): ScheduledDay(False, "补休", Y + 1)}
        assert WorkCalendar.from_schedules(order).scheduled_years == frozenset({Y - 1, Y + 1})


def test_a_notice_may_move_a_day_of_a_year_the_library_covers() -> None:
    first = LAST_COVERED + 1
    day = D(LAST_COVERED, 12, 31)
    builtin = bool(chinese_calendar.is_workday(day))
    if builtin:
        notice = YearSchedule(first, "示例", (HolidaySpan(day, D(first, 1, 1), "元旦"),), ())
    else:
        notice = YearSchedule(
            first,
            "示例",
            (HolidaySpan(D(first, 1, 1), D(first, 1, 1), "元旦"),),
            (MakeupWorkday(day, "调休"),),
        )
    cal = WorkCalendar.from_schedules([notice])
    assert cal.is_workday(day) is not builtin  # the notice wins over the library's table
    assert not cal.is_provisional(day)  # covered by the library anyway
    assert cal.scheduled_years == frozenset({first})
    assert cal.is_workday(D(LAST_COVERED, 12, 1)) is chinese_calendar.is_workday(D(LAST_COVERED, 12, 1))
    assert default_calendar().is_workday(day) is builtin
