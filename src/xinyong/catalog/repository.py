"""SQL of the catalog: stored versions and their items. :mod:`xinyong.catalog.service` queries
through these functions only; none commits."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.models.catalog import CatalogItemRow, CatalogVersion
from xinyong.models.lists import ListScopeRow, MeasureRow


def version_by_label(session: Session, version: str) -> CatalogVersion | None:
    return session.scalar(select(CatalogVersion).where(CatalogVersion.version == version))


def current_version(session: Session) -> CatalogVersion | None:
    return session.scalar(select(CatalogVersion).where(CatalogVersion.is_current.is_(True)))


def current_label(session: Session) -> str | None:
    """The label of the current version (None before the first import)."""
    return session.scalar(select(CatalogVersion.version).where(CatalogVersion.is_current.is_(True)))


def add_current_version(
    session: Session, version: CatalogVersion, items: Iterable[CatalogItemRow | ListScopeRow | MeasureRow]
) -> None:
    """Store ``version`` with its ``items`` as the only current version (flushed, ids assigned)."""
    session.execute(update(CatalogVersion).values(is_current=False))
    version.is_current = True
    session.add(version)
    session.flush()
    for item in items:
        item.version_id = version.id
        session.add(item)
    session.flush()


def items_of(session: Session, version_id: int) -> list[CatalogItemRow]:
    """The items of a version, by code."""
    query = select(CatalogItemRow).where(CatalogItemRow.version_id == version_id)
    return list(session.scalars(query.order_by(CatalogItemRow.code)))


def item_of(session: Session, version_id: int, code: str) -> CatalogItemRow | None:
    return session.scalar(
        select(CatalogItemRow).where(CatalogItemRow.version_id == version_id, CatalogItemRow.code == code)
    )


def scopes_of(session: Session, version_id: int) -> list[ListScopeRow]:
    """The scope items (red and black) of a version, by code."""
    query = select(ListScopeRow).where(ListScopeRow.version_id == version_id)
    return list(session.scalars(query.order_by(ListScopeRow.code)))


def measures_of(session: Session, version_id: int) -> list[MeasureRow]:
    """The measures (incentives and punishments) of a version, by code."""
    query = select(MeasureRow).where(MeasureRow.version_id == version_id)
    return list(session.scalars(query.order_by(MeasureRow.code)))
