"""Credit record rules, pure: severity, publication window, timeliness, visibility. One place owns each.

- ``publication_window`` is the only function that turns a catalog item's rule, a severity and a
  record's dates into the dates it is published from and until (《信用修复管理办法》: 轻微 not published
  in principle, 一般 3–12 months, 严重 1–3 years, counted from the deciding document's date).
- ``severity_of`` is the catalog's severity for a record, or the source's override with a reason.
- ``timeliness`` counts working days from decision to receipt through kit.workdays.
- ``is_visible`` says whether the public may see a record on a given day.

``records.assess.assess_frame`` is the vectorised twin: it applies these same functions to a chunk.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from xinyong.catalog.schema import CatalogItem, UntilKind
from xinyong.kit.errors import InvalidInput
from xinyong.kit.workdays import WorkCalendar
from xinyong.models.records import CreditRecord, RecordStatus, Severity


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (2025-01-31 + 1 month = 2025-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    """When a record is published: from ``start``; it may be withdrawn (repair) from ``min_end`` on;
    publication stops by itself at ``max_end``, the first day it is no longer shown (None: no automatic
    end)."""

    publish: bool
    start: dt.date | None
    min_end: dt.date | None
    max_end: dt.date | None


def as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _end_of(kind: UntilKind | None, until: dt.date | None) -> dt.date | None:
    """The first day a record is no longer current, from its end field: the day after a validity date
    (有效期至: valid through that day), the day itself for a removal date (移出日期, 付清日期)."""
    if until is None:
        return None
    return until + dt.timedelta(days=1) if kind is UntilKind.VALIDITY else until


def publication_window(item: CatalogItem, data: dict[str, Any], severity: Severity | None) -> Window:
    """The publication window of one record of ``item`` with field values ``data``."""
    rule = item.publication_rule
    window = rule.window_for(severity)
    start = as_date(data.get(rule.from_field))
    if not window.publish or start is None:
        return Window(False, None, None, None)
    max_end = add_months(start, window.max_months) if window.max_months is not None else None
    until = _end_of(rule.until_kind, as_date(data.get(rule.until_field)) if rule.until_field else None)
    if until is not None and (max_end is None or until < max_end):
        max_end = until
    min_end = add_months(start, window.min_months)
    if max_end is not None and min_end > max_end:
        min_end = max_end
    return Window(True, start, min_end, max_end)


def severity_of(
    item: CatalogItem, data: dict[str, Any], *, override: Severity | None = None, reason: str | None = None
) -> Severity | None:
    """The catalog's severity for the record; the source may override it, but only with a reason,
    and only for dishonesty information (a licence or an honour has no severity to adjust)."""
    if override is not None and not item.is_dishonesty_info:
        raise InvalidInput(
            f"「{item.name}」不是失信信息，没有严重程度，不能调整",
            code="RECORD_SEVERITY_NOT_APPLICABLE",
            details={"item": item.code},
        )
    if override is not None:
        if not reason or not reason.strip():
            raise InvalidInput(
                "调整严重程度必须说明理由",
                code="RECORD_SEVERITY_REASON_REQUIRED",
                details={"item": item.code},
            )
        return override
    return item.severity_for(data)


@dataclass(frozen=True)
class Timeliness:
    """``delay_workdays`` from decision to receipt; ``due`` the last day of the collection period (None
    when the item sets none); ``late`` when received after it; ``provisional`` when a day from the
    decision to the receipt lies in a year whose holiday schedule is not loaded yet. The verdict depends
    on those days only (a later due date cannot make an earlier arrival late), so a due date that falls
    in such a year after the arrival leaves the verdict final."""

    delay_workdays: int
    due: dt.date | None
    late: bool
    provisional: bool


def timeliness(item: CatalogItem, decided: dt.date, received: dt.date, cal: WorkCalendar) -> Timeliness:
    """Whether a record arrived within the item's collection period (N working days from the decision).

    The period ends with its N-th working day, the date ``xinyong workdays add`` prints; a record that
    arrives after it is late even if it arrives on a rest day before the next working day (decided
    2025-09-22, due 2025-09-30, received on the holiday 2025-10-05: late)."""
    count = cal.workdays_between(decided, received)
    limit = item.collection_deadline_workdays
    if limit is None:
        return Timeliness(count.days, None, False, count.provisional)
    due = cal.add_workdays(decided, limit)
    return Timeliness(count.days, due.date, received > due.date, count.provisional)


def is_visible(record: CreditRecord, today: dt.date) -> bool:
    """Whether the public may see the record today: active, publishable and inside its window."""
    return (
        record.status is RecordStatus.active
        and record.published
        and record.publish_from is not None
        and record.publish_from <= today
        and (record.publish_max_end is None or today < record.publish_max_end)
    )
