"""SQL of the auditor's and the credit office's console: the audit trail listed and filtered, and the
dashboard's aggregates (each one grouped in the database, so that the figures stay fast at a million
records: one pass over the window's rows, a few hundred groups back)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from xinyong.console.audit.schemas import TrailFilter
from xinyong.kit.clock import CHINA_TZ
from xinyong.models import CreditRecord, Department, IngestBatch, QueryLogEntry
from xinyong.models.audit import AuditEntry
from xinyong.models.catalog import CatalogItemRow
from xinyong.security import repository as security
from xinyong.security.schemas import LogFilter

# --------------------------------------------------------------------------- the audit trail


def _utc_text(day: dt.date) -> str:
    """Midnight CST of ``day`` as the trail stores instants: UTC ISO 8601 text with microseconds, which
    sorts as the instants do."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=CHINA_TZ).astimezone(dt.UTC)
    return start.isoformat(timespec="microseconds")


def _trail_filtered(stmt: Select[Any], f: TrailFilter) -> Select[Any]:
    if f.entity:
        stmt = stmt.where(AuditEntry.entity == f.entity)
    if f.entity_id:
        stmt = stmt.where(AuditEntry.entity_id == f.entity_id)
    if f.actor:
        stmt = stmt.where(AuditEntry.actor == f.actor)
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.since is not None:
        stmt = stmt.where(AuditEntry.at >= _utc_text(f.since))
    if f.until is not None:
        stmt = stmt.where(AuditEntry.at < _utc_text(f.until + dt.timedelta(days=1)))
    if f.upto is not None:
        stmt = stmt.where(AuditEntry.id <= f.upto)
    return stmt


def trail(session: Session, f: TrailFilter, *, limit: int, offset: int) -> tuple[int, list[AuditEntry]]:
    """Entries matching ``f``, newest first, and how many match in all."""
    matching = _trail_filtered(select(AuditEntry.id), f).subquery()
    total = session.scalar(select(func.count()).select_from(matching)) or 0
    rows = session.scalars(
        _trail_filtered(select(AuditEntry), f).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    )
    return total, list(rows)


def trail_entities(session: Session) -> list[str]:
    """Every kind of object the trail names, for the filter's choices."""
    return list(session.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))


# --------------------------------------------------------------------------- the dashboard


def _month(session: Session, column: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a date or time column, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def newest_receipt(session: Session, before: dt.date) -> dt.date | None:
    """The latest day a record was received, up to ``before`` (excluded)."""
    return session.scalar(select(func.max(CreditRecord.received_on)).where(CreditRecord.received_on < before))


def newest_query(session: Session, before: dt.date) -> dt.date | None:
    """The China day of the latest query-log entry before the day ``before``."""
    stmt = security._filtered(
        select(func.max(QueryLogEntry.at)), LogFilter(until=before - dt.timedelta(days=1))
    )
    newest: dt.datetime | None = session.scalar(stmt)
    if newest is None:
        return None
    return (newest if newest.tzinfo is None else newest.astimezone(CHINA_TZ)).date()


def records_by_month(
    session: Session, first: dt.date, nxt: dt.date
) -> Sequence[tuple[int, str, int, int, int]]:
    """(department, month, catalog item, records, late records) received in [first, nxt)."""
    month = _month(session, CreditRecord.received_on)
    stmt = (
        select(
            CreditRecord.source_dept_id,
            month,
            CreditRecord.catalog_item_id,
            func.count(),
            func.sum(case((CreditRecord.late.is_(True), 1), else_=0)),
        )
        .where(CreditRecord.received_on >= first, CreditRecord.received_on < nxt)
        .group_by(CreditRecord.source_dept_id, month, CreditRecord.catalog_item_id)
    )
    return [(d, m, item, int(n), int(late or 0)) for d, m, item, n, late in session.execute(stmt)]


def deadline_items(session: Session) -> set[int]:
    """The catalog items (of every version) that set a collection deadline: only their records can be
    late or on time."""
    rows = session.execute(select(CatalogItemRow.id, CatalogItemRow.spec))
    return {item_id for item_id, spec in rows if spec.get("collection_deadline_workdays") is not None}


def rows_by_department(session: Session, first: dt.date, nxt: dt.date) -> Sequence[tuple[int, int, int]]:
    """(department, rows read, rows rejected) of the batches received in [first, nxt)."""
    stmt = (
        select(IngestBatch.dept_id, func.sum(IngestBatch.rows_done), func.sum(IngestBatch.rejected))
        .where(IngestBatch.received_on >= first, IngestBatch.received_on < nxt)
        .group_by(IngestBatch.dept_id)
    )
    return [(d, int(rows or 0), int(rejected or 0)) for d, rows, rejected in session.execute(stmt)]


def queries_by_purpose(
    session: Session, first: dt.date, last: dt.date
) -> Sequence[tuple[str | None, bool, int]]:
    """(purpose, allowed, reads) of the query log on the China days ``first`` … ``last`` (the query
    log's own day filter)."""
    counted = cast("Select[Any]", select(QueryLogEntry.purpose, QueryLogEntry.allowed, func.count()))
    stmt = security._filtered(counted, LogFilter(since=first, until=last)).group_by(
        QueryLogEntry.purpose, QueryLogEntry.allowed
    )
    return [(purpose, bool(allowed), int(n)) for purpose, allowed, n in session.execute(stmt)]


def departments(session: Session, ids: set[int]) -> dict[int, Department]:
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(Department).where(Department.id.in_(ids)))}
