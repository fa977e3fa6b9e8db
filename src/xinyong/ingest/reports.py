"""Quality feedback to the source (质量反馈): batch outcomes, row-level reports as JSON, CSV and XLSX, and
the rejected rows to fix and resubmit. Timeliness oversight is ``oversight``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Final

from sqlalchemy.orm import Session

from xinyong.catalog.model import CatalogItem
from xinyong.catalog.service import item_spec
from xinyong.departments.service import get_department_by_id
from xinyong.ingest import repository
from xinyong.ingest import unknown_fields as unknown
from xinyong.ingest.schemas import (
    STATUS_ZH,
    BatchOutcome,
    BatchSummary,
    RejectedRowOut,
    RowIssueOut,
    UnknownFieldOut,
)
from xinyong.ingest.validation import RESERVED_LABELS
from xinyong.kit.cells import XlsxDownload, csv_download
from xinyong.kit.errors import NotFound
from xinyong.models import (
    CatalogItemRow,
    IngestBatch,
    IssueLevel,
    RejectedStatus,
    RowIssue,
)

ISSUES_IN_OUTCOME: Final = 200
ERROR_COLUMNS: Final = ("行号", "数据标识", "字段", "字段名称", "级别", "错误代码", "原因", "记录编号")
#: The column of the rejected rows download that gives the reasons (not a field; ignored when resubmitted).
REASONS_COLUMN: Final = "错误说明"


def _batch(session: Session, batch_id: int) -> IngestBatch:
    batch = repository.batch(session, batch_id)
    if batch is None:
        raise NotFound(
            f"批次 {batch_id} 不存在", code="INGEST_BATCH_NOT_FOUND", details={"batch_id": batch_id}
        )
    return batch


def _labels(session: Session, batch: IngestBatch) -> dict[str, str]:
    item = session.get_one(CatalogItemRow, batch.catalog_item_id)
    labels = {f.name: f.label for f in item_spec(item).fields}
    labels.update(RESERVED_LABELS)
    return labels


def _spec(session: Session, batch: IngestBatch) -> CatalogItem:
    return item_spec(session.get_one(CatalogItemRow, batch.catalog_item_id))


def _unknown_fields(spec: CatalogItem, batch: IngestBatch) -> list[UnknownFieldOut]:
    """The batch's columns or keys outside the catalog, one line each (stored in ``ignored_columns``)."""
    word = "列" if batch.file_format in ("csv", "xlsx") else "字段"
    out = []
    for found in unknown.from_json(batch.ignored_columns):
        target = spec.field(found.field) if found.field else None
        out.append(
            UnknownFieldOut(
                column=found.column,
                rows=found.rows,
                code=unknown.FIELD_NOT_IN_CATALOG,
                suggested_field=target.name if target else None,
                suggested_label=target.label if target else None,
                message=unknown.message(spec, found, word=word),
            )
        )
    return out


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
    dept = get_department_by_id(session, batch.dept_id)
    labels = _labels(session, batch)
    total = repository.count_issues(session, batch_id)
    open_rows = repository.count_open_rejected(session, batch_id)
    issues = repository.issues(session, batch_id, limit=issues_limit)
    found = _unknown_fields(_spec(session, batch), batch)
    late, late_provisional = repository.count_late(session, batch_id)
    return BatchOutcome(
        **{**_summary(batch, dept.code), "late": late},
        late_provisional=late_provisional,
        file_sha256=batch.file_sha256,
        ignored_columns=[u.column for u in found],
        unknown_fields=found,
        open_rejected_rows=open_rows,
        issues_total=total,
        issues=[_issue_out(i, labels) for i in issues],
    )


def list_batches(session: Session, dept_id: int, *, limit: int = 50, offset: int = 0) -> list[BatchSummary]:
    """A department's own batches, newest first."""
    dept = get_department_by_id(session, dept_id)
    rows = repository.batches_of(session, dept_id, limit=limit, offset=offset)
    return [BatchSummary(**_summary(b, dept.code)) for b in rows]


def batch_issues(
    session: Session, batch_id: int, *, level: str | None = None, limit: int = 1000, offset: int = 0
) -> list[RowIssueOut]:
    """The per-row report as JSON (row number, field, code, Chinese reason)."""
    batch = _batch(session, batch_id)
    labels = _labels(session, batch)
    wanted = IssueLevel(level) if level is not None else None
    rows = repository.issues(session, batch_id, level=wanted, limit=limit, offset=offset)
    return [_issue_out(i, labels) for i in rows]


#: How a rejected row shows a value it does not reveal (an encrypted citizen ID): to be entered again.
NOT_SHOWN = "（已加密，需授权查看）"


def _masked(raw: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("enc:"):
            out[key] = NOT_SHOWN
        else:
            out[key] = None if value is None else str(value)
    return out


def rejected_rows(
    session: Session, batch_id: int, *, status: str | None = RejectedStatus.open.value
) -> list[RejectedRowOut]:
    """Rejected rows with their values as submitted (citizen IDs not shown) and their errors."""
    batch = _batch(session, batch_id)
    labels = _labels(session, batch)
    rows = repository.rejected(
        session, batch_id, status=RejectedStatus(status) if status is not None else None
    )
    by_row: dict[int, list[RowIssueOut]] = defaultdict(list)
    for issue in repository.issues(session, batch_id, level=IssueLevel.error):
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
    keys = repository.rejected_keys(session, batch_id)
    level_zh = {"error": "错误（已拒收）", "warning": "警告（已入库）", "duplicate": "重复（已忽略）"}
    table: list[list[Any]] = [list(ERROR_COLUMNS)]
    for found in _unknown_fields(_spec(session, batch), batch):  # a line per field outside the catalog
        table.append(["", "", found.column, "", unknown.LEVEL_ZH, found.code, found.message, ""])
    for issue in repository.issues(session, batch_id):
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
    """The per-row report as CSV (UTF-8 with a byte-order mark so that Excel shows the Chinese); no
    cell runs as a formula (``kit.cells``)."""
    return csv_download(_error_table(session, batch_id))


def batch_errors_xlsx(session: Session, batch_id: int) -> bytes:
    """The per-row report as an Excel workbook: text as text, numbers as numbers, no formulas."""
    out = XlsxDownload()
    sheet = out.add_sheet("逐行问题")
    bold = out.book.add_format({"bold": True})
    for r, row in enumerate(_error_table(session, batch_id)):
        out.write_row(sheet, r, row, bold if r == 0 else None)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 5, 18)
    sheet.set_column(6, 6, 80)
    sheet.freeze_panes(1, 0)
    return out.finish()


#: Submissions whose rows name their fields by key (the JSON interface, JSON Lines files).
KEYED_FORMATS: Final = frozenset({"json", "jsonl"})


def rejected_header(batch: IngestBatch, labels: dict[str, str]) -> list[str]:
    """The column headers of a batch's rejected rows download, as the department writes them: the
    Chinese labels for a table (CSV, XLSX), the field names for records sent by key (JSON, JSON Lines).
    The batch does not record which of the two a table's header used (both are read on resubmission),
    so a table gets the labels, what its template and its clerks use."""
    if batch.file_format in KEYED_FORMATS:
        return list(labels)
    return list(labels.values())


def rejected_rows_csv(session: Session, batch_id: int) -> bytes:
    """The open rejected rows as a file to fix and resubmit: 原行号, the item's fields under the headers
    the department uses (:func:`rejected_header`; values as submitted, citizen IDs to be entered again),
    and the reasons (ignored on resubmission); no cell runs as a formula (``kit.cells``)."""
    batch = _batch(session, batch_id)
    labels = _labels(session, batch)
    rows = rejected_rows(session, batch_id)
    table: list[list[Any]] = [["原行号", *rejected_header(batch, labels), REASONS_COLUMN]]
    for row in rows:
        values = [
            "" if row.values.get(n) is None or row.values.get(n) == NOT_SHOWN else row.values.get(n)
            for n in labels
        ]
        table.append([row.row_no, *values, "；".join(i.message for i in row.issues)])
    return csv_download(table)


__all__ = [
    "NOT_SHOWN",
    "batch_errors_csv",
    "batch_errors_xlsx",
    "batch_issues",
    "batch_outcome",
    "list_batches",
    "rejected_header",
    "rejected_rows",
    "rejected_rows_csv",
]
