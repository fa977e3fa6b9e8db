"""SQL of credit files: a subject, and its records with their catalog item and source department."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from xinyong.models import CatalogItemRow, CreditRecord, Department, Subject

#: A record with what it is shown with: its catalog item and its source department.
RecordRow = tuple[CreditRecord, CatalogItemRow, Department]


def _with_source() -> Select[CreditRecord, CatalogItemRow, Department]:
    return (
        select(CreditRecord, CatalogItemRow, Department)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .join(Department, Department.id == CreditRecord.source_dept_id)
    )


def subject_by_id(session: Session, subject_id: int) -> Subject | None:
    return session.get(Subject, subject_id)


def records_of_subject(session: Session, subject_id: int) -> list[RecordRow]:
    """Every record of the subject, newest decision first."""
    rows = session.execute(
        _with_source()
        .where(CreditRecord.subject_id == subject_id)
        .order_by(CreditRecord.decision_date.desc(), CreditRecord.id.desc())
    )
    return [(record, item, dept) for record, item, dept in rows]


def record_by_id(session: Session, record_id: int) -> RecordRow | None:
    row = session.execute(_with_source().where(CreditRecord.id == record_id)).first()
    return (row[0], row[1], row[2]) if row is not None else None
