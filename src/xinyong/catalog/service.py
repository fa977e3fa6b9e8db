"""Catalog versions in the database: import, export, look-up of the item a record must reference."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog.schema import CatalogFile, CatalogItem, parse_catalog
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Conflict, NotFound
from xinyong.models.catalog import CatalogItemRow, CatalogVersion


@dataclass(frozen=True)
class ImportResult:
    version: CatalogVersion
    items: int
    created: bool


def import_catalog(
    session: Session, text: str, *, actor: str, clock: Clock | None = None, source: str = "<upload>"
) -> ImportResult:
    """Validate a catalog file and store it as a new version that becomes current.

    The same version with the same content is a no-op; the same version label with different
    content is refused (a catalog version, once stored, never changes).
    """
    parsed: CatalogFile = parse_catalog(text, source=source)
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = session.scalar(select(CatalogVersion).where(CatalogVersion.version == parsed.version))
    if existing is not None:
        if existing.digest != digest:
            raise Conflict(
                f"目录版本 {parsed.version} 已存在且内容不同：修改目录请使用新的版本号",
                code="CATALOG_VERSION_EXISTS",
                details={"version": parsed.version},
            )
        return ImportResult(existing, len(parsed.items), created=False)
    previous = session.scalar(select(CatalogVersion.version).where(CatalogVersion.is_current.is_(True)))
    session.execute(update(CatalogVersion).values(is_current=False))
    version = CatalogVersion(
        version=parsed.version,
        title=parsed.title,
        issued_by=parsed.issued_by,
        effective_date=parsed.effective_date,
        digest=digest,
        source_text=text,
        is_current=True,
        imported_by=actor,
    )
    session.add(version)
    session.flush()
    for item in parsed.items:
        session.add(
            CatalogItemRow(
                version_id=version.id,
                code=item.code,
                name=item.name,
                category=item.category.value,
                openness=item.openness.value,
                source_department_kind=item.source_department_kind,
                legal_basis=item.legal_basis,
                spec=item.model_dump(mode="json"),
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="catalog.imported",
        entity="catalog_version",
        entity_id=version.id,
        before={"current": previous},
        after={"version": parsed.version, "digest": digest},
        detail={"items": len(parsed.items), "source": source},
        clock=clock,
    )
    return ImportResult(version, len(parsed.items), created=True)


def current_version(session: Session) -> CatalogVersion:
    version = session.scalar(select(CatalogVersion).where(CatalogVersion.is_current.is_(True)))
    if version is None:
        raise NotFound("尚未导入公共信用信息目录：请先运行 xinyong catalog import", code="CATALOG_EMPTY")
    return version


def export_catalog(session: Session, version: str | None = None) -> str:
    """The text of a stored version exactly as it was imported (the current one by default)."""
    if version is None:
        return current_version(session).source_text
    row = session.scalar(select(CatalogVersion).where(CatalogVersion.version == version))
    if row is None:
        raise NotFound(f"目录版本 {version} 不存在", code="CATALOG_VERSION_NOT_FOUND")
    return row.source_text


def current_items(session: Session) -> list[CatalogItemRow]:
    version = current_version(session)
    return list(
        session.scalars(
            select(CatalogItemRow)
            .where(CatalogItemRow.version_id == version.id)
            .order_by(CatalogItemRow.code)
        )
    )


def item_row(session: Session, code: str) -> CatalogItemRow:
    """The current version's item with this code: the only thing a record may reference."""
    version = current_version(session)
    row = session.scalar(
        select(CatalogItemRow).where(CatalogItemRow.version_id == version.id, CatalogItemRow.code == code)
    )
    if row is None:
        raise NotFound(
            f"目录中没有编码为 {code} 的信息事项：目录之外的信息不得归集",
            code="CATALOG_ITEM_NOT_FOUND",
            details={"item": code},
        )
    return row


def item_spec(row: CatalogItemRow) -> CatalogItem:
    return CatalogItem.model_validate(row.spec)
