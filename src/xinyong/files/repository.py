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


class Items:
    """The catalog items (of every stored version: records keep the item they were collected under) by
    id, with their category and openness. A file's conditions name item ids, so its queries read
    credit_records alone and the database counts and sorts a subject's records without a join."""

    def __init__(self, rows: Collection[tuple[int, str, str]]) -> None:
        self.category = {item_id: category for item_id, category, _o in rows}
        self.openness = {item_id: openness for item_id, _c, openness in rows}

    def ids(self, *, openness: str | None = None, tab: Tab | None = None) -> list[int]:
        """Ids of the items of ``openness`` (None: any) shown in ``tab`` (None: any)."""
        return sorted(
            item_id
            for item_id, category in self.category.items()
            if (openness is None or self.openness[item_id] == openness) and _in_tab(tab, category)
        )


def _in_tab(tab: Tab | None, category: str) -> bool:
    if tab is None:
        return True
    if tab.categories is None:
        return category not in CLAIMED
    return category in tab.categories


def catalog_items(session: Session) -> Items:
    return Items(
        [
            (int(i), str(c), str(o))
            for i, c, o in session.execute(
                select(CatalogItemRow.id, CatalogItemRow.category, CatalogItemRow.openness)
            )
        ]
    )


def public_now_clause(items: Items, today: dt.date) -> ColumnElement[bool]:
    """A record of a public item that the public may see today (``records.rules.is_visible``)."""
    return and_(
        CreditRecord.catalog_item_id.in_(items.ids(openness=Openness.PUBLIC.value)),
        CreditRecord.status == RecordStatus.active,
        CreditRecord.published.is_(True),
        CreditRecord.publish_from.is_not(None),
        CreditRecord.publish_from <= today,
        or_(CreditRecord.publish_max_end.is_(None), CreditRecord.publish_max_end > today),
    )


def shown_clause(
    view: View, items: Items, *, today: dt.date, person: bool, in_range_dept_ids: Collection[int] = ()
) -> ColumnElement[bool]:
    """Which records ``view`` shows, as a condition on credit_records (see ``files.service.shown_to``).
    ``in_range_dept_ids``: the staff caller's departments among the subject's sources."""
    public_now = public_now_clause(items, today)
    if view is View.public:
        return false() if person else public_now
    if view is View.agency:
        authorised = and_(
            CreditRecord.catalog_item_id.in_(items.ids(openness=Openness.AUTHORISED.value)),
            CreditRecord.status == RecordStatus.active,
        )
        return or_(public_now, authorised)
    if view is View.staff:
        in_range = (
            CreditRecord.source_dept_id.in_(sorted(in_range_dept_ids)) if in_range_dept_ids else false()
        )
        return in_range if person else or_(in_range, public_now)
    return true()


def counts_by_category(
    session: Session, subject_id: int, items: Items, shown: ColumnElement[bool]
) -> dict[str, int]:
    """How many of the subject's records ``shown`` holds, per catalog category."""
    out: dict[str, int] = {}
    for item_id, count in session.execute(
        select(CreditRecord.catalog_item_id, func.count())
        .where(CreditRecord.subject_id == subject_id, shown)
        .group_by(CreditRecord.catalog_item_id)
    ):
        category = items.category[item_id]
        out[category] = out.get(category, 0) + int(count)
    return out


def records_page(
    session: Session,
    subject_id: int,
    items: Items,
    shown: ColumnElement[bool],
    tab: Tab | None,
    *,
    limit: int,
    offset: int,
) -> list[RecordRow]:
    """``limit`` of the subject's records that ``shown`` holds in ``tab`` from ``offset``, newest decision
    first. The page's ids are found first (the sort reads no record's data), then its rows."""
    condition = CreditRecord.catalog_item_id.in_(items.ids(tab=tab)) if tab is not None else true()
    ids = list(
        session.scalars(
            select(CreditRecord.id)
            .where(CreditRecord.subject_id == subject_id, shown, condition)
            .order_by(CreditRecord.decision_date.desc(), CreditRecord.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    if not ids:
        return []
    rows = {
        record.id: (record, item, dept)
        for record, item, dept in session.execute(_with_source().where(CreditRecord.id.in_(ids)))
    }
    return [rows[i] for i in ids]


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
    items = catalog_items(session)
    wanted = [i for i, category in items.category.items() if category in categories]
    rows = session.execute(
        select(CreditRecord, CatalogItemRow, Department, Subject)
        .join(CatalogItemRow, CatalogItemRow.id == CreditRecord.catalog_item_id)
        .join(Department, Department.id == CreditRecord.source_dept_id)
        .join(Subject, Subject.id == CreditRecord.subject_id)
        .where(
            CreditRecord.decision_date >= since,
            CreditRecord.decision_date <= today,
            CreditRecord.catalog_item_id.in_(sorted(wanted)),
            public_now_clause(items, today),
        )
        .order_by(CreditRecord.decision_date.desc(), CreditRecord.id.desc())
        .limit(limit)
    )
    return [(record, item, dept, subject) for record, item, dept, subject in rows]
