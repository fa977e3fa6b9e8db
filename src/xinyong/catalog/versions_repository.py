"""SQL of the catalog's version pages (``catalog.versions``): every version with its item count, storing a
version that is not current yet, and making one version the current one."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from xinyong.models.catalog import CatalogItemRow, CatalogVersion
from xinyong.models.lists import ListScopeRow, MeasureRow


def versions_with_counts(session: Session) -> list[tuple[CatalogVersion, int]]:
    """Every stored version, newest first, with how many items it holds."""
    counts = (
        select(CatalogItemRow.version_id, func.count().label("n"))
        .group_by(CatalogItemRow.version_id)
        .subquery()
    )
    stmt = (
        select(CatalogVersion, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.version_id == CatalogVersion.id)
        .order_by(CatalogVersion.id.desc())
    )
    return [(version, int(n)) for version, n in session.execute(stmt)]


def item_count(session: Session, version_id: int) -> int:
    stmt = select(func.count()).select_from(CatalogItemRow).where(CatalogItemRow.version_id == version_id)
    return int(session.scalar(stmt) or 0)


def add_version(
    session: Session, version: CatalogVersion, items: Iterable[CatalogItemRow | ListScopeRow | MeasureRow]
) -> None:
    """Store ``version`` with its ``items``, not current (flushed, ids assigned)."""
    version.is_current = False
    session.add(version)
    session.flush()
    for item in items:
        item.version_id = version.id
        session.add(item)
    session.flush()


def set_current(session: Session, version_id: int) -> None:
    """Make ``version_id`` the only current version."""
    session.execute(update(CatalogVersion).values(is_current=CatalogVersion.id == version_id))
    session.flush()
