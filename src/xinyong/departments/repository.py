"""SQL for departments: the only place that queries the ``departments`` table by code or region."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.models import Department


def by_code(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


def by_id(session: Session, dept_id: int) -> Department | None:
    return session.get(Department, dept_id)


def code_taken(session: Session, code: str) -> bool:
    return session.scalar(select(Department.id).where(Department.code == code)) is not None


def ids_in_region(session: Session, prefix: str) -> list[int]:
    """The departments whose region code starts with ``prefix`` (a region and the divisions below it)."""
    return list(session.scalars(select(Department.id).where(Department.region_code.startswith(prefix))))


def listing(session: Session, *, region_code: str | None = None) -> list[Department]:
    stmt = select(Department).order_by(Department.code)
    if region_code:
        stmt = stmt.where(Department.region_code == region_code)
    return list(session.scalars(stmt))
