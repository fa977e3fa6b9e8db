"""Catalog versions in the database: import, export, look-up of the item a record must reference.

The rules live here; the SQL in :mod:`xinyong.catalog.repository`. Functions take the caller's
session and never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog import repository, versions_repository
from xinyong.catalog.io import parse_catalog
from xinyong.catalog.model import CatalogFile, CatalogItem
from xinyong.catalog.terms import ANY_ADMINISTRATIVE, DEPARTMENT_KINDS, SubjectType, UntilKind
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Conflict, NotFound
from xinyong.models.catalog import CatalogItemRow, CatalogVersion
from xinyong.models.lists import ListScopeRow, MeasureRow


@dataclass(frozen=True)
class ImportResult:
    version: CatalogVersion
    items: int
    created: bool
    #: A version stored earlier (uploaded in the console, not yet current) that this import made current.
    made_current: bool = False


def make_version_current(
    session: Session, version: CatalogVersion, *, actor: str, clock: Clock | None
) -> None:
    """Make a stored version the current one (audited as ``catalog.made_current``)."""
    previous = repository.current_label(session)
    versions_repository.set_current(session, version.id)
    session.refresh(version)
    audit.record(
        session,
        actor=actor,
        action="catalog.made_current",
        entity="catalog_version",
        entity_id=version.id,
        before={"current": previous},
        after={"current": version.version},
        clock=clock,
    )


def import_catalog(
    session: Session, text: str, *, actor: str, clock: Clock | None = None, source: str = "<upload>"
) -> ImportResult:
    """Validate a catalog file and store it as a new version that becomes current.

    The same version with the same content is not stored twice: it becomes current if it is not (an
    office uploaded it in the console and had not made it current yet); the same version label with
    different content is refused (a catalog version, once stored, never changes).
    """
    parsed: CatalogFile = parse_catalog(text, source=source)
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = repository.version_by_label(session, parsed.version)
    if existing is not None:
        if existing.digest != digest:
            raise Conflict(
                f"目录版本 {parsed.version} 已存在且内容不同：修改目录请使用新的版本号",
                code="CATALOG_VERSION_EXISTS",
                details={"version": parsed.version},
            )
        made_current = not existing.is_current
        if made_current:
            make_version_current(session, existing, actor=actor, clock=clock)
        return ImportResult(existing, len(parsed.items), created=False, made_current=made_current)
    previous = repository.current_label(session)
    version = CatalogVersion(
        version=parsed.version,
        title=parsed.title,
        issued_by=parsed.issued_by,
        effective_date=parsed.effective_date,
        digest=digest,
        source_text=text,
        imported_by=actor,
    )
    repository.add_current_version(session, version, rows_for(parsed))
    audit.record(
        session,
        actor=actor,
        action="catalog.imported",
        entity="catalog_version",
        entity_id=version.id,
        before={"current": previous},
        after={"version": parsed.version, "digest": digest},
        detail={
            "items": len(parsed.items),
            "scopes": len(parsed.scopes),
            "measures": len(parsed.measures),
            "source": source,
        },
        clock=clock,
    )
    return ImportResult(version, len(parsed.items), created=True)


def rows_for(parsed: CatalogFile) -> list[CatalogItemRow | ListScopeRow | MeasureRow]:
    """Every row a catalog version stores: its items, scope items and measures."""
    rows: list[CatalogItemRow | ListScopeRow | MeasureRow] = [row_for_item(item) for item in parsed.items]
    rows += [
        ListScopeRow(code=s.code, list_kind=s.list_kind, name=s.name, spec=s.model_dump(mode="json"))
        for s in parsed.scopes
    ]
    rows += [
        MeasureRow(code=m.code, kind=m.kind, name=m.name, spec=m.model_dump(mode="json"))
        for m in parsed.measures
    ]
    return rows


def row_for_item(item: CatalogItem) -> CatalogItemRow:
    """A catalog item as the row that stores it in a version."""
    return CatalogItemRow(
        code=item.code,
        name=item.name,
        category=item.category.value,
        openness=item.openness.value,
        source_department_kind=item.source_department_kind,
        legal_basis=item.legal_basis,
        spec=item.model_dump(mode="json"),
    )


def current_version(session: Session) -> CatalogVersion:
    version = repository.current_version(session)
    if version is None:
        raise NotFound("尚未导入公共信用信息目录：请先运行 xinyong catalog import", code="CATALOG_EMPTY")
    return version


def export_catalog(session: Session, version: str | None = None) -> str:
    """The text of a stored version exactly as it was imported (the current one by default)."""
    if version is None:
        return current_version(session).source_text
    row = repository.version_by_label(session, version)
    if row is None:
        raise NotFound(f"目录版本 {version} 不存在", code="CATALOG_VERSION_NOT_FOUND")
    return row.source_text


def current_items(session: Session) -> list[CatalogItemRow]:
    return repository.items_of(session, current_version(session).id)


def item_row(session: Session, code: str) -> CatalogItemRow:
    """The current version's item with this code: the only thing a record may reference."""
    row = repository.item_of(session, current_version(session).id, code)
    if row is None:
        raise NotFound(
            f"目录中没有编码为 {code} 的信息事项：目录之外的信息不得归集",
            code="CATALOG_ITEM_NOT_FOUND",
            details={"item": code},
        )
    return row


def item_spec(row: CatalogItemRow) -> CatalogItem:
    return CatalogItem.model_validate(stored_spec(row.spec))


def stored_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """An item as stored, read by today's rules. Versions stored before items had to state what their
    end field means (``until_kind``), their source department kinds and whether they exclude minors keep
    their text unchanged; when read, an end field labelled 有效期… is a validity date and any other a
    removal date, the source kinds are those the free-text source names (else every administrative
    department), and an item that lists persons as seriously dishonest excludes minors."""
    rule = spec.get("publication_rule") or {}
    until = rule.get("until_field")
    upgraded = dict(spec)
    if until and "until_kind" not in rule:
        label = next((f.get("label", "") for f in spec.get("fields", []) if f.get("name") == until), "")
        kind = UntilKind.VALIDITY if "有效期" in label else UntilKind.REMOVAL
        upgraded["publication_rule"] = {**rule, "until_kind": kind.value}
    if "source_department_kinds" not in spec:
        text = str(spec.get("source_department_kind", ""))
        named = [kind for kind in DEPARTMENT_KINDS if kind in text]
        upgraded["source_department_kinds"] = named or [ANY_ADMINISTRATIVE]
    persons = SubjectType.NATURAL_PERSON.value in spec.get("subject_types", [])
    if persons and spec.get("severity_rule") == {"fixed": "serious"} and "minors_excluded" not in spec:
        upgraded["minors_excluded"] = True
    return upgraded
