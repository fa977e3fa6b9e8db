"""The credit office's dashboard figures, from the database's own aggregates (``repository``): every sum
is grouped by month and department in SQL, so Python sees a few hundred groups whatever the number of
records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from xinyong.console.audit import repository
from xinyong.console.audit.schemas import DashboardOut, DeptRate, MonthCount, PurposeCount
from xinyong.kit.clock import Clock
from xinyong.models import Department

#: The label of query-log entries that stated no purpose.
NO_PURPOSE = "（未说明用途）"


def _shift(month: dt.date, by: int) -> dt.date:
    """The first day of the month ``by`` months after ``month`` (a first day)."""
    index = month.year * 12 + month.month - 1 + by
    return dt.date(index // 12, index % 12 + 1, 1)


def window(session: Session, *, today: dt.date, months: int) -> list[dt.date]:
    """The first days of the ``months`` months shown: up to the newest month with a record received or
    a query logged (never after ``today``'s month), so that an installation that has been quiet for a
    while (or demo data) still shows its last months rather than empty ones."""
    this_month = today.replace(day=1)
    before = _shift(this_month, 1)
    newest = [
        d for d in (repository.newest_receipt(session, before), repository.newest_query(session, before)) if d
    ]
    last = max(newest).replace(day=1) if newest else this_month
    return [_shift(last, k) for k in range(1 - months, 1)]


def _rate(dept: Department, total: int, part: int) -> DeptRate:
    return DeptRate(
        dept_code=dept.code,
        dept_name=dept.name,
        total=total,
        part=part,
        rate=round(part / total, 4) if total else None,
    )


def summarise(session: Session, *, clock: Clock, months: int) -> DashboardOut:
    """Records per month and department, on-time and rejected-row rates per department and reads of the
    query log per purpose, over the window (``window``). The on-time rate counts the records of items
    that set a collection deadline (the 双公示 items and the others that have one; ``records.rules``
    decided ``late`` at intake)."""
    firsts = window(session, today=clock.today(), months=months)
    first, nxt = firsts[0], _shift(firsts[-1], 1)
    by_month = repository.records_by_month(session, first, nxt)
    by_rows = repository.rows_by_department(session, first, nxt)
    depts = repository.departments(session, {d for d, *_ in by_month} | {d for d, *_ in by_rows})
    timed = repository.deadline_items(session)
    per_month: dict[tuple[int, str], int] = defaultdict(int)
    on_time: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for dept_id, month, item_id, n, late in by_month:
        per_month[dept_id, month] += n
        if item_id in timed:
            on_time[dept_id][0] += n
            on_time[dept_id][1] += n - late
    counts = [
        MonthCount(month=month, dept_code=depts[d].code, dept_name=depts[d].name, records=n)
        for (d, month), n in per_month.items()
    ]
    queries: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for purpose, allowed, n in repository.queries_by_purpose(session, first, nxt - dt.timedelta(days=1)):
        queries[purpose or NO_PURPOSE][0 if allowed else 1] += n
    by_code = sorted(depts, key=lambda d: depts[d].code)
    return DashboardOut(
        first_month=first.strftime("%Y-%m"),
        last_month=firsts[-1].strftime("%Y-%m"),
        months=[m.strftime("%Y-%m") for m in firsts],
        records_by_month=sorted(counts, key=lambda c: (c.month, c.dept_code)),
        on_time=[_rate(depts[d], *on_time[d]) for d in by_code if d in on_time],
        rejected=[
            _rate(depts[d], rows, rejected)
            for d, rows, rejected in sorted(by_rows, key=lambda r: depts[r[0]].code)
        ],
        queries=[
            PurposeCount(purpose=p, allowed=a, refused=r)
            for p, (a, r) in sorted(queries.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
        ],
        computed_at=clock.now().isoformat(timespec="seconds"),
    )
