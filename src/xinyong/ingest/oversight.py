"""Timeliness oversight (双公示: licences and penalties within their items' collection deadline): the
monthly figures per department and the late records, and who may see which department's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from xinyong.catalog.service import item_spec
from xinyong.departments.service import get_department
from xinyong.ingest import repository
from xinyong.ingest.schemas import DeptTimeliness, LateRecord, TimelinessReport
from xinyong.kit.errors import InvalidInput
from xinyong.models import Department
from xinyong.records.rules import timeliness
from xinyong.web import EARLIEST_DATE, LATEST_DATE
from xinyong.workdays.service import calendar


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput(
            f"月份“{month}”格式不正确，应为 YYYY-MM", code="INGEST_MONTH_INVALID", details={"month": month}
        ) from None
    if not EARLIEST_DATE <= first <= LATEST_DATE:
        raise InvalidInput(
            f"月份“{month}”超出可查询的范围（{EARLIEST_DATE.year} 年至 {LATEST_DATE.year} 年）",
            code="INGEST_MONTH_INVALID",
            details={"month": month},
        )
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if total == 0:
        return None
    ordered = sorted(histogram.items())

    def nth(k: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > k:
                return value
        return ordered[-1][0]

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def timeliness_report(session: Session, *, dept_code: str | None, month: str) -> TimelinessReport:
    """Per department: licence and penalty records received in ``month`` (YYYY-MM), how many within
    the item's collection deadline, the on-time rate and the median delay in working days.

    Every department that has ever submitted such records up to that month is listed, with zeros
    when it sent nothing this month: silence is what oversight most needs to see."""
    first, nxt = _month_bounds(month)
    depts: dict[int, Department]
    if dept_code is not None:
        dept = get_department(session, dept_code)
        depts = {dept.id: dept}
    else:
        depts = {d.id: d for d in repository.double_publicity_sources(session, nxt)}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    histograms: dict[int, dict[int, int]] = defaultdict(dict)
    only = next(iter(depts)) if dept_code is not None else None
    for dept_id, late, delay, count in repository.timeliness_counts(session, first, nxt, only):
        totals[dept_id][1 if late else 0] += count
        if delay is not None:
            histograms[dept_id][delay] = histograms[dept_id].get(delay, 0) + count
    missing = [d for d in totals if d not in depts]
    if missing:
        depts.update({d.id: d for d in repository.departments(session, missing)})
    out = []
    for dept_id in sorted(depts, key=lambda d: depts[d].code):
        on_time, n_late = totals.get(dept_id, [0, 0])
        total = on_time + n_late
        out.append(
            DeptTimeliness(
                dept_id=dept_id,
                dept_code=depts[dept_id].code,
                dept_name=depts[dept_id].name,
                total=total,
                on_time=on_time,
                late=n_late,
                on_time_rate=round(on_time / total, 4) if total else None,
                median_delay_workdays=_median(histograms.get(dept_id, {})),
            )
        )
    return TimelinessReport(month=month, departments=out)


def late_records(
    session: Session, dept_id: int, *, month: str | None = None, limit: int = 100, offset: int = 0
) -> list[LateRecord]:
    """A department's records received after the last day of their item's collection period, each
    with that day and whether the verdict is provisional (a year without a loaded schedule)."""
    between = _month_bounds(month) if month is not None else None
    rows = repository.late_records(session, dept_id, between=between, limit=limit, offset=offset)
    cal = calendar(session)
    out = []
    for record, item in rows:
        timely = timeliness(item_spec(item), record.decision_date, record.received_on, cal)
        out.append(
            LateRecord(
                record_id=record.id,
                item_code=item.code,
                source_record_id=record.source_record_id,
                decision_no=record.decision_no,
                decision_date=record.decision_date,
                received_on=record.received_on,
                delay_workdays=record.delay_workdays,
                limit_workdays=item.spec.get("collection_deadline_workdays"),
                due_date=timely.due,
                provisional=record.timeliness_provisional,
                batch_id=record.batch_id,
            )
        )
    return out
