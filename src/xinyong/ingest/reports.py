"""Quality feedback to the source (质量反馈): batch outcomes, row-level reports, late records, and the
monthly timeliness figures per department (双公示: licences and penalties within 7 working days)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.catalog.schema import Category
from xinyong.catalog.service import item_spec
from xinyong.ingest.schemas import (
    STATUS_ZH,
    BatchOutcome,
    BatchSummary,
    DeptTimeliness,
    LateRecord,
    RejectedRowOut,
    RowIssueOut,
    TimelinessReport,
)
from xinyong.ingest.validation import RESERVED_LABELS
from xinyong.kit.errors import InvalidInput, NotFound
from xinyong.models import (
    CatalogItemRow,
    CreditRecord,
    Department,
    IngestBatch,
    IssueLevel,
    RejectedRow,
    RejectedStatus,
    RowIssue,
)

ISSUES_IN_OUTCOME: Final = 200
_BOM: Final = "\ufeff"
ERROR_COLUMNS: Final = ("行号", "数据标识", "字段", "字段名称", "级别", "错误代码", "原因", "记录编号")
_DOUBLE_PUBLICITY: Final = (Category.LICENCE.value, Category.PENALTY.value)


def _batch(session: Session, batch_id: int) -> IngestBatch:
    batch = session.get(IngestBatch, batch_id)
    if batch is None:
        raise NotFound(
            f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND", details={"batch_id": batch_id}
        )
    return batch


def _labels(session: Session, batch: IngestBatch) -> dict[str, str]:
    item = session.get(CatalogItemRow, batch.catalog_item_id)
    assert item is not None
    labels = {f.name: f.label for f in item_spec(item).fields}
    labels.update(RESERVED_LABELS)
    return labels


def _summary(batch: IngestBatch, dept_code: str) -> dict[str, Any]:
    return {
        "batch_id": batch.id,
        "item_code": batch.item_code,
        "dept_code": dept_code,
        "channel": batch.channel.value,
        "status": batch.status.value,
        "status_label": STATUS_ZH.get(batch.status.value, batch.status.value),
        "file_name": batch.file_name,
        "file_format": batch.file_format,
        "received_on": batch.received_on,
        "submitted_at": batch.submitted_at,
        "submitted_by": batch.submitted_by,
        "finished_at": batch.finished_at,
        "rows": batch.rows_done,
        "rows_total": batch.rows_total,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "warnings": batch.warnings,
        "duplicates": batch.duplicates,
        "late": batch.late,
        "duplicate_of_id": batch.duplicate_of_id,
        "resubmission_of_id": batch.resubmission_of_id,
        "error_code": batch.error_code,
        "error_message": batch.error_message,
    }


def _issue_out(issue: RowIssue, labels: dict[str, str]) -> RowIssueOut:
    return RowIssueOut(
        row_no=issue.row_no,
        field=issue.field,
        field_label=labels.get(issue.field) if issue.field else None,
        level=issue.level.value,
        code=issue.code,
        message=issue.message,
        record_id=issue.record_id,
    )


def batch_outcome(session: Session, batch_id: int, *, issues_limit: int = ISSUES_IN_OUTCOME) -> BatchOutcome:
    """Counts and the first row-level findings of a batch."""
    batch = _batch(session, batch_id)
    dept = session.get(Department, batch.dept_id)
    assert dept is not None
    labels = _labels(session, batch)
    total = (
        session.scalar(select(func.count()).select_from(RowIssue).where(RowIssue.batch_id == batch_id)) or 0
    )
    open_rows = (
        session.scalar(
            select(func.count())
            .select_from(RejectedRow)
            .where(RejectedRow.batch_id == batch_id, RejectedRow.status == RejectedStatus.open)
        )
        or 0
    )
    issues = session.scalars(
        select(RowIssue)
        .where(RowIssue.batch_id == batch_id)
        .order_by(RowIssue.row_no, RowIssue.id)
        .limit(issues_limit)
    )
    return BatchOutcome(
        **_summary(batch, dept.code),
        file_sha256=batch.file_sha256,
        ignored_columns=list(batch.ignored_columns),
        open_rejected_rows=open_rows,
        issues_total=total,
        issues=[_issue_out(i, labels) for i in issues],
    )


def list_batches(session: Session, dept_id: int, *, limit: int = 50, offset: int = 0) -> list[BatchSummary]:
    """A department's own batches, newest first."""
    dept = session.get(Department, dept_id)
    if dept is None:
        raise NotFound(f"部门 {dept_id} 不存在", code="DEPT_NOT_FOUND")
    rows = session.scalars(
        select(IngestBatch)
        .where(IngestBatch.dept_id == dept_id)
        .order_by(IngestBatch.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [BatchSummary(**_summary(b, dept.code)) for b in rows]


def batch_issues(
    session: Session, batch_id: int, *, level: str | None = None, limit: int = 1000, offset: int = 0
) -> list[RowIssueOut]:
    """The per-row report as JSON (row number, field, code, Chinese reason)."""
    batch = _batch(session, batch_id)
    labels = _labels(session, batch)
    stmt = select(RowIssue).where(RowIssue.batch_id == batch_id)
    if level is not None:
        stmt = stmt.where(RowIssue.level == IssueLevel(level))
    rows = session.scalars(stmt.order_by(RowIssue.row_no, RowIssue.id).limit(limit).offset(offset))
    return [_issue_out(i, labels) for i in rows]


def _masked(raw: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("enc:"):
            out[key] = "（已加密，需授权查看）"
        else:
            out[key] = None if value is None else str(value)
    return out


def rejected_rows(
    session: Session, batch_id: int, *, status: str | None = RejectedStatus.open.value
) -> list[RejectedRowOut]:
    """Rejected rows with their values as submitted (citizen IDs not shown) and their errors."""
    batch = _batch(session, batch_id)
    labels = _labels(session, batch)
    stmt = select(RejectedRow).where(RejectedRow.batch_id == batch_id)
    if status is not None:
        stmt = stmt.where(RejectedRow.status == RejectedStatus(status))
    rows = list(session.scalars(stmt.order_by(RejectedRow.row_no)))
    by_row: dict[int, list[RowIssueOut]] = defaultdict(list)
    for issue in session.scalars(
        select(RowIssue).where(RowIssue.batch_id == batch_id, RowIssue.level == IssueLevel.error)
    ):
        by_row[issue.row_no].append(_issue_out(issue, labels))
    return [
        RejectedRowOut(
            row_no=r.row_no,
            source_record_id=r.source_record_id,
            values=_masked(r.raw),
            status=r.status.value,
            fixed_batch_id=r.fixed_batch_id,
            fixed_record_id=r.fixed_record_id,
            issues=by_row.get(r.row_no, []),
        )
        for r in rows
    ]


def _error_table(session: Session, batch_id: int) -> list[list[Any]]:
    batch = _batch(session, batch_id)
    labels = _labels(session, batch)
    keys = dict(
        session.execute(
            select(RejectedRow.row_no, RejectedRow.source_record_id).where(RejectedRow.batch_id == batch_id)
        ).all()
    )
    level_zh = {"error": "错误（已拒收）", "warning": "警告（已入库）", "duplicate": "重复（已忽略）"}
    table: list[list[Any]] = [list(ERROR_COLUMNS)]
    for issue in session.scalars(
        select(RowIssue).where(RowIssue.batch_id == batch_id).order_by(RowIssue.row_no, RowIssue.id)
    ):
        table.append(
            [
                issue.row_no,
                keys.get(issue.row_no) or "",
                issue.field or "",
                labels.get(issue.field or "", ""),
                level_zh[issue.level.value],
                issue.code,
                issue.message,
                issue.record_id or "",
            ]
        )
    return table


def batch_errors_csv(session: Session, batch_id: int) -> bytes:
    """The per-row report as CSV: UTF-8 with a byte-order mark so that Excel shows the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(_error_table(session, batch_id))
    return (_BOM + buffer.getvalue()).encode("utf-8")


def batch_errors_xlsx(session: Session, batch_id: int) -> bytes:
    """The per-row report as an Excel workbook."""
    import xlsxwriter  # type: ignore[import-untyped]

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("逐行问题")
    bold = book.add_format({"bold": True})
    for r, row in enumerate(_error_table(session, batch_id)):
        sheet.write_row(r, 0, row, bold if r == 0 else None)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 5, 18)
    sheet.set_column(6, 6, 80)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def rejected_rows_csv(session: Session, batch_id: int) -> bytes:
    """The open rejected rows as a file to fix and resubmit: 原行号, the item's fields (as submitted;
    citizen IDs must be entered again), and the reasons (ignored on resubmission)."""
    batch = _batch(session, batch_id)
    labels = _labels(session, batch)
    rows = rejected_rows(session, batch_id)
    names = list(labels)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["原行号", *names, "错误说明"])
    for row in rows:
        values = [
            "" if row.values.get(n) is None or str(row.values.get(n)).startswith("（") else row.values.get(n)
            for n in names
        ]
        writer.writerow([row.row_no, *values, "；".join(i.message for i in row.issues)])
    return (_BOM + buffer.getvalue()).encode("utf-8")


# --------------------------------------------------------------------------- timeliness


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput(
            f"月份“{month}”格式不正确，应为 YYYY-MM", code="INGEST_MONTH_INVALID", details={"month": month}
        ) from None
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
    stmt = (
        select(CreditRecord.source_dept_id, CreditRecord.late, CreditRecord.delay_workdays, func.count())
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(
            CreditRecord.received_on >= first,
            CreditRecord.received_on < nxt,
            CatalogItemRow.category.in_(_DOUBLE_PUBLICITY),
        )
        .group_by(CreditRecord.source_dept_id, CreditRecord.late, CreditRecord.delay_workdays)
    )
    depts: dict[int, Department]
    if dept_code is not None:
        dept = session.scalar(select(Department).where(Department.code == dept_code))
        if dept is None:
            raise NotFound(f"部门代码 {dept_code} 不存在", code="DEPT_NOT_FOUND", details={"dept": dept_code})
        stmt = stmt.where(CreditRecord.source_dept_id == dept.id)
        depts = {dept.id: dept}
    else:
        sources = (
            select(CreditRecord.source_dept_id)
            .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
            .where(CreditRecord.received_on < nxt, CatalogItemRow.category.in_(_DOUBLE_PUBLICITY))
            .distinct()
        )
        depts = {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(sources)))}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    histograms: dict[int, dict[int, int]] = defaultdict(dict)
    for dept_id, late, delay, count in session.execute(stmt):
        totals[dept_id][1 if late else 0] += count
        if delay is not None:
            histograms[dept_id][delay] = histograms[dept_id].get(delay, 0) + count
    missing = [d for d in totals if d not in depts]
    if missing:
        depts.update({d.id: d for d in session.scalars(select(Department).where(Department.id.in_(missing)))})
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
    """A department's records received later than their item's collection deadline."""
    stmt = (
        select(CreditRecord, CatalogItemRow)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(CreditRecord.source_dept_id == dept_id, CreditRecord.late.is_(True))
    )
    if month is not None:
        first, nxt = _month_bounds(month)
        stmt = stmt.where(CreditRecord.received_on >= first, CreditRecord.received_on < nxt)
    rows = session.execute(
        stmt.order_by(CreditRecord.received_on.desc(), CreditRecord.id).limit(limit).offset(offset)
    ).all()
    out = []
    for record, item in rows:
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
                batch_id=record.batch_id,
            )
        )
    return out


__all__ = [
    "batch_errors_csv",
    "batch_errors_xlsx",
    "batch_issues",
    "batch_outcome",
    "late_records",
    "list_batches",
    "rejected_rows",
    "rejected_rows_csv",
    "timeliness_report",
]
