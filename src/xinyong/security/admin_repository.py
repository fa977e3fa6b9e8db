"""SQL of the console's account pages (``security.admin``): the accounts listing with their departments."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.models import Department, User


def users_page(session: Session, *, limit: int, offset: int) -> tuple[int, list[tuple[User, str | None]]]:
    """Accounts by user name with their department's code, and how many there are."""
    total = session.scalar(select(func.count()).select_from(User)) or 0
    stmt = (
        select(User, Department.code)
        .outerjoin(Department, Department.id == User.department_id)
        .order_by(User.username)
        .limit(limit)
        .offset(offset)
    )
    return int(total), [(user, code) for user, code in session.execute(stmt)]
