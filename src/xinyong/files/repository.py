"""SQL of credit files: a subject, and its records with their catalog item and source department, a page
of one tab at a time with each tab's count.

``shown_clause`` is the SQL twin of ``files.service.shown_to`` (which applies ``records.rules.is_visible``
to one record); tests/files/test_file_pages.py proves the two agree record by record for every view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from xinyong.catalog.schema import Openness
from xinyong.files.schemas import View
from xinyong.files.tabs import CLAIMED, Tab
from xinyong.models import CatalogItemRow, CreditRecord, Department, Subject
from xinyong.models.records import RecordStatus

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


def public_now_clause(today: dt.date) -> ColumnElement[bool]:
    """A record of a public item that the public may see today (``records.rules.is_visible``)."""
    return and_(
        CatalogItemRow.openness == Openness.PUBLIC.value,
        CreditRecord.status == RecordStatus.active,
        CreditRecord.published.is_(True),
        CreditRecord.publish_from.is_not(None),
        CreditRecord.publish_from <= today,
        or_(CreditRecord.publish_max_end.is_(None), CreditRecord.publish_max_end > today),
    )


def shown_clause(
    view: View, *, today: dt.date, person: bool, in_range_dept_ids: Collection[int] = ()
) -> ColumnElement[bool]:
    """Which records ``view`` shows, as a condition on a query joined with catalog_items (see
    ``files.service.shown_to``). ``in_range_dept_ids``: the staff caller's departments among the
    subject's sources."""
    public_now = public_now_clause(today)
    if view is View.public:
        return false() if person else public_now
    if view is View.agency:
        authorised = and_(
            CatalogItemRow.openness == Openness.AUTHORISED.value,
            CreditRecord.status == RecordStatus.active,
        )
        return or_(public_now, authorised)
    if view is View.staff:
        in_range = CreditRecord.source_dept_id.in_(list(in_range_dept_ids)) if in_range_dept_ids else false()
        return in_range if person else or_(in_range, public_now)
    return true()


def tab_clause(tab: Tab | None) -> ColumnElement[bool]:
    """Records of ``tab`` (None: every tab)."""
    if tab is None:
        return true()
    if tab.categories is None:
        return CatalogItemRow.category.not_in(sorted(CLAIMED))
    return CatalogItemRow.category.in_(sorted(tab.categories))


def counts_by_category(session: Session, subject_id: int, shown: ColumnElement[bool]) -> dict[str, int]:
    """How many of the subject's records ``shown`` holds, per catalog category."""
    rows = session.execute(
        select(CatalogItemRow.category, func.count())
        .select_from(CreditRecord)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .where(CreditRecord.subject_id == subject_id, shown)
        .group_by(CatalogItemRow.category)
    )
    return {str(category): int(count) for category, count in rows}


def records_page(
    session: Session,
    subject_id: int,
    shown: ColumnElement[bool],
    tab: Tab | None,
    *,
    limit: int,
    offset: int,
) -> list[RecordRow]:
    """``limit`` of the subject's records that ``shown`` holds in ``tab`` from ``offset``, newest decision
    first."""
    rows = session.execute(
        _with_source()
        .where(CreditRecord.subject_id == subject_id, shown, tab_clause(tab))
        .order_by(CreditRecord.decision_date.desc(), CreditRecord.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [(record, item, dept) for record, item, dept in rows]


def source_departments(session: Session, subject_id: int) -> list[Department]:
    """The departments that sent the subject's records (a data range is decided per department)."""
    sources = select(CreditRecord.source_dept_id).where(CreditRecord.subject_id == subject_id).distinct()
    return list(session.scalars(select(Department).where(Department.id.in_(sources))))


def record_by_id(session: Session, record_id: int) -> RecordRow | None:
    row = session.execute(_with_source().where(CreditRecord.id == record_id)).first()
    return (row[0], row[1], row[2]) if row is not None else None


def latest_public(
    session: Session, categories: Collection[str], *, since: dt.date, today: dt.date, limit: int
) -> list[tuple[CreditRecord, CatalogItemRow, Department, Subject]]:
    """The newest records of ``categories`` decided since ``since`` that the public may see today, with
    their subject, newest decision first (the caller keeps those of public subjects)."""
    rows = session.execute(
        select(CreditRecord, CatalogItemRow, Department, Subject)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .join(Department, Department.id == CreditRecord.source_dept_id)
        .join(Subject, Subject.id == CreditRecord.subject_id)
        .where(
            CreditRecord.decision_date >= since,
            CreditRecord.decision_date <= today,
            CatalogItemRow.category.in_(sorted(categories)),
            public_now_clause(today),
        )
        .order_by(CreditRecord.decision_date.desc(), CreditRecord.id.desc())
        .limit(limit)
    )
    return [(record, item, dept, subject) for record, item, dept, subject in rows]
