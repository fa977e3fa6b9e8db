"""Quality feedback by month (报送质量): for a department, or every department a caller oversees, the
timeliness of its 双公示 records (``oversight.timeliness_report``: on-time rate, late count) beside the
rows its batches handled and rejected (rejected-row rate). Who may see which department is
``access``; this module only counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Final

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.ingest import quality_repository, repository
from xinyong.ingest.oversight import timeliness_report
from xinyong.ingest.schemas import DeptTimeliness
from xinyong.kit.errors import InvalidInput
from xinyong.models import Department

__all__ = ["DeptQuality", "MonthQuality", "QualityReport", "department_quality", "months_back", "overview"]

#: Months shown for one department, ending with the month asked for.
MONTHS_SHOWN: Final = 12
_FIRST_YEAR: Final = 1900
REJECTED_RULE: Final = (
    "拒收行比例：当月接收的批次（不含重复提交的文件）处理的数据行中被拒收的比例；"
    "更正后重新提交的行计入重新提交当月"
)


class MonthQuality(BaseModel):
    month: str = Field(description="接收月份 YYYY-MM")
    records: int = Field(description="双公示记录数（行政许可、行政处罚）")
    on_time: int
    late: int = Field(description="超期报送的双公示记录数")
    on_time_rate: float | None = Field(description="按期率（0–1），无双公示记录时为空")
    median_delay_workdays: float | None
    batches: int = Field(description="报送批次数（不含重复提交）")
    rows: int = Field(description="批次处理的数据行数")
    accepted: int
    rejected: int
    rejected_rate: float | None = Field(description="拒收行比例（0–1），无数据行时为空")


class DeptQuality(BaseModel):
    dept_code: str
    dept_name: str
    months: list[MonthQuality]


class QualityReport(BaseModel):
    month: str
    timeliness_rule: str
    rejected_rule: str = REJECTED_RULE
    departments: list[DeptQuality]


def _first_day(month: str) -> dt.date:
    try:
        first = dt.date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        first = None
    if first is None or len(month) != 7 or month[4] != "-" or first.year < _FIRST_YEAR:
        raise InvalidInput(
            f"月份“{month}”格式不正确，应为 YYYY-MM", code="INGEST_MONTH_INVALID", details={"month": month}
        )
    return first


def _next(first: dt.date) -> dt.date:
    return dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def months_back(month: str, n: int = MONTHS_SHOWN) -> list[str]:
    """The ``n`` months ending with ``month`` (YYYY-MM), oldest first, none before 1900."""
    first = _first_day(month)
    out = []
    for _ in range(n):
        out.append(first.strftime("%Y-%m"))
        if first.year == _FIRST_YEAR and first.month == 1:
            break
        first = dt.date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return out[::-1]


def _month(month: str, timely: DeptTimeliness | None, totals: quality_repository.BatchTotals) -> MonthQuality:
    batches, rows, accepted, rejected = totals
    return MonthQuality(
        month=month,
        records=timely.total if timely else 0,
        on_time=timely.on_time if timely else 0,
        late=timely.late if timely else 0,
        on_time_rate=timely.on_time_rate if timely else None,
        median_delay_workdays=timely.median_delay_workdays if timely else None,
        batches=batches,
        rows=rows,
        accepted=accepted,
        rejected=rejected,
        rejected_rate=round(rejected / rows, 4) if rows else None,
    )


def department_quality(session: Session, dept: Department, *, month: str) -> QualityReport:
    """One department's quality in each of the twelve months ending with ``month``."""
    rows: list[MonthQuality] = []
    rule = ""
    for m in months_back(month):
        first = _first_day(m)
        report = timeliness_report(session, dept_code=dept.code, month=m)
        rule = report.rule
        timely = next((d for d in report.departments if d.dept_id == dept.id), None)
        totals = quality_repository.batch_totals(session, first, _next(first), [dept.id])
        rows.append(_month(m, timely, totals.get(dept.id, (0, 0, 0, 0))))
    quality = DeptQuality(dept_code=dept.code, dept_name=dept.name, months=rows)
    return QualityReport(month=month, timeliness_rule=rule, departments=[quality])


def overview(session: Session, dept_ids: Collection[int], *, month: str) -> QualityReport:
    """In ``month``, every department of ``dept_ids`` that had 双公示 sources or batches (the credit
    office's view of the departments it oversees), by department code."""
    first = _first_day(month)
    report = timeliness_report(session, dept_code=None, month=month)
    timely = {d.dept_id: d for d in report.departments if d.dept_id in dept_ids}
    totals = quality_repository.batch_totals(session, first, _next(first), dept_ids)
    shown = set(timely) | set(totals)
    depts = sorted(repository.departments(session, sorted(shown)), key=lambda d: d.code) if shown else []
    return QualityReport(
        month=month,
        timeliness_rule=report.rule,
        departments=[
            DeptQuality(
                dept_code=d.code,
                dept_name=d.name,
                months=[_month(month, timely.get(d.id), totals.get(d.id, (0, 0, 0, 0)))],
            )
            for d in depts
        ],
    )
