"""SQL for collection: batches, row findings, rejected rows, and the timeliness figures of the records
that batches stored. (The pipeline's bulk statements live with the pipeline: ``pipeline/store.py``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.catalog.schema import Category
from xinyong.models import (
    BatchStatus,
    CatalogItemRow,
    CreditRecord,
    Department,
    IngestBatch,
    IssueLevel,
    RejectedRow,
    RejectedStatus,
    RowIssue,
)

#: 双公示: the categories whose timeliness oversight measures (licences and penalties).
DOUBLE_PUBLICITY: Final = (Category.LICENCE.value, Category.PENALTY.value)


def batch(session: Session, batch_id: int) -> IngestBatch | None:
    return session.get(IngestBatch, batch_id)


def first_with_content(session: Session, dept_id: int, item_id: int, sha256: str) -> IngestBatch | None:
    """The first batch of this department and item with the same content (not itself a duplicate)."""
    return session.scalar(
        select(IngestBatch)
        .where(
            IngestBatch.dept_id == dept_id,
            IngestBatch.catalog_item_id == item_id,
            IngestBatch.file_sha256 == sha256,
            IngestBatch.status != BatchStatus.duplicate,
        )
        .order_by(IngestBatch.id)
        .limit(1)
    )


def batches_of(session: Session, dept_id: int, *, limit: int, offset: int) -> list[IngestBatch]:
    """A department's batches, newest first."""
    return list(
        session.scalars(
            select(IngestBatch)
            .where(IngestBatch.dept_id == dept_id)
            .order_by(IngestBatch.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def count_issues(session: Session, batch_id: int) -> int:
    return (
        session.scalar(select(func.count()).select_from(RowIssue).where(RowIssue.batch_id == batch_id)) or 0
    )


def count_late(session: Session, batch_id: int) -> tuple[int, int]:
    """The batch's records that are late now, and how many of them provisionally (a schedule loaded
    since the batch may have changed both)."""
    stmt = select(func.count(), func.count().filter(CreditRecord.timeliness_provisional.is_(True))).where(
        CreditRecord.batch_id == batch_id, CreditRecord.late.is_(True)
    )
    late, provisional = session.execute(stmt).one()
    return int(late or 0), int(provisional or 0)


def count_open_rejected(session: Session, batch_id: int) -> int:
    stmt = (
        select(func.count())
        .select_from(RejectedRow)
        .where(RejectedRow.batch_id == batch_id, RejectedRow.status == RejectedStatus.open)
    )
    return session.scalar(stmt) or 0


def issues(
    session: Session,
    batch_id: int,
    *,
    level: IssueLevel | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[RowIssue]:
    """A batch's findings in row order."""
    stmt = select(RowIssue).where(RowIssue.batch_id == batch_id)
    if level is not None:
        stmt = stmt.where(RowIssue.level == level)
    stmt = stmt.order_by(RowIssue.row_no, RowIssue.id).offset(offset)
    return list(session.scalars(stmt.limit(limit) if limit is not None else stmt))


def rejected(session: Session, batch_id: int, *, status: RejectedStatus | None = None) -> list[RejectedRow]:
    stmt = select(RejectedRow).where(RejectedRow.batch_id == batch_id)
    if status is not None:
        stmt = stmt.where(RejectedRow.status == status)
    return list(session.scalars(stmt.order_by(RejectedRow.row_no)))


def rejected_keys(session: Session, batch_id: int) -> dict[int, str | None]:
    """Source record id of each rejected row, by row number."""
    stmt = select(RejectedRow.row_no, RejectedRow.source_record_id).where(RejectedRow.batch_id == batch_id)
    return {row_no: key for row_no, key in session.execute(stmt)}


def timeliness_counts(
    session: Session, first: dt.date, nxt: dt.date, dept_id: int | None
) -> Sequence[tuple[int, bool, int | None, int]]:
    """(department, late, delay, count) of the 双公示 records received in [first, nxt)."""
    stmt = (
        select(CreditRecord.source_dept_id, CreditRecord.late, CreditRecord.delay_workdays, func.count())
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(
            CreditRecord.received_on >= first,
            CreditRecord.received_on < nxt,
            CatalogItemRow.category.in_(DOUBLE_PUBLICITY),
        )
        .group_by(CreditRecord.source_dept_id, CreditRecord.late, CreditRecord.delay_workdays)
    )
    if dept_id is not None:
        stmt = stmt.where(CreditRecord.source_dept_id == dept_id)
    return [(dept, late, delay, count) for dept, late, delay, count in session.execute(stmt)]


def double_publicity_sources(session: Session, before: dt.date) -> list[Department]:
    """Every department that sent 双公示 records received before ``before``."""
    sources = (
        select(CreditRecord.source_dept_id)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(CreditRecord.received_on < before, CatalogItemRow.category.in_(DOUBLE_PUBLICITY))
        .distinct()
    )
    return list(session.scalars(select(Department).where(Department.id.in_(sources))))


def departments(session: Session, dept_ids: list[int] | None = None) -> list[Department]:
    stmt = select(Department)
    if dept_ids is not None:
        stmt = stmt.where(Department.id.in_(dept_ids))
    return list(session.scalars(stmt))


def late_records(
    session: Session, dept_id: int, *, between: tuple[dt.date, dt.date] | None, limit: int, offset: int
) -> Sequence[tuple[CreditRecord, CatalogItemRow]]:
    """A department's late records (newest receipt first), with their catalog item."""
    stmt = (
        select(CreditRecord, CatalogItemRow)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(CreditRecord.source_dept_id == dept_id, CreditRecord.late.is_(True))
    )
    if between is not None:
        stmt = stmt.where(CreditRecord.received_on >= between[0], CreditRecord.received_on < between[1])
    rows = session.execute(
        stmt.order_by(CreditRecord.received_on.desc(), CreditRecord.id).limit(limit).offset(offset)
    )
    return [(record, item) for record, item in rows]
