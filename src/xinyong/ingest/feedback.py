"""Quality feedback as the staff console shows it (数据报送 pages): a department's batch history with its
size, a batch's report with one page of its findings and its late records, and its rejected rows as
forms to fix, each field with its rules and the reasons it was refused. Everything comes from the
collection services (``reports``, ``oversight``, ``templates``); nothing here decides a rule."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.catalog.service import item_spec
from xinyong.ingest import quality_repository, reports
from xinyong.ingest.oversight import late_records
from xinyong.ingest.schemas import BatchOutcome, BatchSummary, LateRecord, RejectedRowOut, RowIssueOut
from xinyong.ingest.templates import FieldRuleOut, field_rules
from xinyong.models import CatalogItemRow, Department, IngestBatch

__all__ = [
    "BatchPage",
    "History",
    "RejectedForm",
    "RejectedRowForm",
    "batch_page",
    "history",
    "rejected_form",
]

#: Late records of the batch's month looked through for the batch's own.
LATE_SCAN: Final = 1000


class History(BaseModel):
    batches: list[BatchSummary]
    total: int


class BatchPage(BaseModel):
    outcome: BatchOutcome
    item_name: str
    issues: list[RowIssueOut] = Field(description="本页的逐行问题")
    late_records: list[LateRecord] = Field(description="本批次超期报送的记录")


class RejectedRowForm(RejectedRowOut):
    hidden_fields: list[str] = Field(description="不显示原值的字段（留空则沿用原报送值）")


class RejectedForm(BaseModel):
    batch_id: int
    item_code: str
    item_name: str
    fields: list[FieldRuleOut]
    rows: list[RejectedRowForm] = Field(description="本页待更正的被拒收行")
    total: int = Field(description="待更正的被拒收行总数")


def history(session: Session, dept: Department, *, limit: int, offset: int) -> History:
    """A department's batches, newest first, and how many it has."""
    return History(
        batches=reports.list_batches(session, dept.id, limit=limit, offset=offset),
        total=quality_repository.count_batches(session, dept.id),
    )


def _item(session: Session, batch: IngestBatch) -> CatalogItemRow:
    return session.get_one(CatalogItemRow, batch.catalog_item_id)


def batch_page(session: Session, batch: IngestBatch, *, limit: int, offset: int) -> BatchPage:
    """The report of ``batch`` (already checked to be the caller's): counts, ``limit`` findings from
    ``offset`` and the batch's late records."""
    outcome = reports.batch_outcome(session, batch.id, issues_limit=0)
    late = []
    if outcome.late:
        month = batch.received_on.strftime("%Y-%m")
        late = [
            r
            for r in late_records(session, batch.dept_id, month=month, limit=LATE_SCAN)
            if r.batch_id == batch.id
        ]
    return BatchPage(
        outcome=outcome,
        item_name=_item(session, batch).name,
        issues=reports.batch_issues(session, batch.id, limit=limit, offset=offset),
        late_records=late,
    )


def rejected_form(session: Session, batch: IngestBatch, *, limit: int, offset: int) -> RejectedForm:
    """The open rejected rows of ``batch`` (values as submitted, citizen IDs not shown), ``limit`` from
    ``offset``, with the rules of the item's fields."""
    item = _item(session, batch)
    rows = reports.rejected_rows(session, batch.id)
    return RejectedForm(
        batch_id=batch.id,
        item_code=item.code,
        item_name=item.name,
        fields=field_rules(item_spec(item)),
        rows=[
            RejectedRowForm(
                **row.model_dump(), hidden_fields=[k for k, v in row.values.items() if v == reports.NOT_SHOWN]
            )
            for row in rows[offset : offset + limit]
        ],
        total=len(rows),
    )
