"""Holiday schedule files (节假日安排): parsing, and errors that name the entry and the field.

Parsing does not depend on which years chinese_calendar covers, so the dates here are fixed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import SCHEDULE_INVALID, HolidaySpan, MakeupWorkday, YearSchedule, parse_schedule

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
        "year: 2027\nsource: x\nholidays:\n  - {name: 元旦, start: 2026-12-31, end: 2027-01-03}\n",
        "holidays 第1项：start 2026-12-31 不在 2027 年内",
    ),
    (
        "year: 2027\nsource: x\nworkdays:\n  - {name: 调休, date: 2028-01-02}\n",
        "workdays 第1项：date 2028-01-02 不在 2027 年内",
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
