"""SQL of the portal's pages: the platform's sizes for the home page."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.models import CatalogItemRow, CreditRecord, Department, Subject


def count_subjects(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Subject)) or 0


def count_records(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CreditRecord)) or 0


def count_departments(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Department)) or 0


def count_catalog_items(session: Session, version_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(CatalogItemRow).where(CatalogItemRow.version_id == version_id)
        )
        or 0
    )
