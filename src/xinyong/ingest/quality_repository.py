"""SQL for the quality pages of collection: a department's batch count (paging the batch history) and
the rows its batches handled per department over a span of receipt dates (rejected-row rate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.models import BatchStatus, IngestBatch

#: (batches, rows handled, rows accepted, rows rejected)
BatchTotals = tuple[int, int, int, int]


def count_batches(session: Session, dept_id: int) -> int:
    """How many batches a department has submitted (every status)."""
    stmt = select(func.count()).select_from(IngestBatch).where(IngestBatch.dept_id == dept_id)
    return int(session.scalar(stmt) or 0)


def batch_totals(
    session: Session, first: dt.date, before: dt.date, dept_ids: Collection[int]
) -> dict[int, BatchTotals]:
    """Per department of ``dept_ids``: its batches received from ``first`` to the day before ``before``
    and the rows they handled, accepted and rejected. A duplicate batch handled nothing and is left out."""
    if not dept_ids:
        return {}
    stmt = (
        select(
            IngestBatch.dept_id,
            func.count(),
            func.coalesce(func.sum(IngestBatch.rows_done), 0),
            func.coalesce(func.sum(IngestBatch.accepted), 0),
            func.coalesce(func.sum(IngestBatch.rejected), 0),
        )
        .where(
            IngestBatch.received_on >= first,
            IngestBatch.received_on < before,
            IngestBatch.status != BatchStatus.duplicate,
            IngestBatch.dept_id.in_(sorted(dept_ids)),
        )
        .group_by(IngestBatch.dept_id)
    )
    return {int(d): (int(n), int(rows), int(ok), int(bad)) for d, n, rows, ok, bad in session.execute(stmt)}
