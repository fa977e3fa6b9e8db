"""Catalog versions as the credit office manages them in the console: check an uploaded file (its errors,
or what it would change against the current version), store it as a version that is not current yet,
look at any stored version's changes, and make one version the current one.

``service.import_catalog`` (the command line) stores and makes current in one step; here the two are
apart so the office sees the changes before they apply. Both store a version the same way (the same
label with other content is refused: a stored version never changes) and read files with the same
``parse_catalog``. Functions take the caller's session and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.catalog import repository, versions_repository
from xinyong.catalog.diff import CatalogDiff, diff_catalogs
from xinyong.catalog.errors import CatalogInvalid
from xinyong.catalog.io import parse_catalog
from xinyong.catalog.model import CatalogFile
from xinyong.catalog.service import make_version_current, rows_for, stored_spec
from xinyong.kit.clock import Clock
from xinyong.kit.errors import Conflict, InvalidInput, NotFound
from xinyong.models.catalog import CatalogVersion
from xinyong.web import Instant

#: The largest catalog file the console takes (the shipped catalog is about 50 KB).
MAX_CATALOG_BYTES = 2 * 1024 * 1024


class VersionOut(BaseModel):
    id: int
    version: str
    title: str
    issued_by: str
    effective_date: dt.date
    is_current: bool
    imported_at: Instant
    imported_by: str
    items: int


class CatalogProblem(BaseModel):
    """One reason a file cannot be used: the item (by code) and field it concerns, and why."""

    item: str | None
    field: str
    message: str
    line: int | None = None


class CheckOut(BaseModel):
    """A checked file: valid (then what it would change against the current version) or its errors."""

    valid: bool
    message: str
    errors: list[CatalogProblem]
    version: str | None
    items: int
    diff: CatalogDiff | None


class VersionDetailOut(BaseModel):
    version: VersionOut
    #: Its changes against the current version (None for the current version itself).
    diff: CatalogDiff | None


def version_out(version: CatalogVersion, items: int) -> VersionOut:
    return VersionOut(
        id=version.id,
        version=version.version,
        title=version.title,
        issued_by=version.issued_by,
        effective_date=version.effective_date,
        is_current=version.is_current,
        imported_at=version.imported_at,
        imported_by=version.imported_by,
        items=items,
    )


def versions(session: Session) -> list[VersionOut]:
    """Every stored version, newest first."""
    return [version_out(v, n) for v, n in versions_repository.versions_with_counts(session)]


def decode_upload(data: bytes) -> str:
    """An uploaded catalog file as text: UTF-8 (a byte-order mark is dropped), at most
    ``MAX_CATALOG_BYTES``."""
    if len(data) > MAX_CATALOG_BYTES:
        raise InvalidInput(
            f"目录文件超过 {MAX_CATALOG_BYTES // (1024 * 1024)} MB 的上限", code="CATALOG_FILE_TOO_LARGE"
        )
    if not data.strip():
        raise InvalidInput("请选择目录文件（YAML）", code="CATALOG_FILE_EMPTY")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("目录文件应为 UTF-8 编码的 YAML 文本", code="CATALOG_FILE_NOT_UTF8") from None


#: A version's scope items and measures, as stored (``ListScopeRow.spec``, ``MeasureRow.spec``).
Lists = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _header(title: str, issued_by: str, effective: dt.date) -> dict[str, Any]:
    return {"title": title, "issued_by": issued_by, "effective_date": effective.isoformat()}


def _lists_of(session: Session, version_id: int) -> Lists:
    return (
        [row.spec for row in repository.scopes_of(session, version_id)],
        [row.spec for row in repository.measures_of(session, version_id)],
    )


def _diff_against_current(
    session: Session, items: list[dict[str, Any]], label: str, header: dict[str, Any], lists: Lists
) -> CatalogDiff:
    scopes, measures = lists
    current = repository.current_version(session)
    if current is None:
        return diff_catalogs(
            [],
            items,
            from_version=None,
            to_version=label,
            new_header=header,
            new_scopes=scopes,
            new_measures=measures,
        )
    old = [stored_spec(row.spec) for row in repository.items_of(session, current.id)]
    old_header = _header(current.title, current.issued_by, current.effective_date)
    old_scopes, old_measures = _lists_of(session, current.id)
    return diff_catalogs(
        old,
        items,
        from_version=current.version,
        to_version=label,
        old_header=old_header,
        new_header=header,
        old_scopes=old_scopes,
        new_scopes=scopes,
        old_measures=old_measures,
        new_measures=measures,
    )


def _parsed_diff(session: Session, parsed: CatalogFile) -> CatalogDiff:
    items = [item.model_dump(mode="json") for item in parsed.items]
    header = _header(parsed.title, parsed.issued_by, parsed.effective_date)
    lists = (
        [s.model_dump(mode="json") for s in parsed.scopes],
        [m.model_dump(mode="json") for m in parsed.measures],
    )
    return _diff_against_current(session, items, parsed.version, header, lists)


def check(session: Session, text: str) -> CheckOut:
    """Validate a catalog file without storing it: its errors (item, field, reason), or, valid, what it
    would change against the current version."""
    try:
        parsed = parse_catalog(text)
    except CatalogInvalid as exc:
        problems = [
            CatalogProblem(
                item=e.get("item"),
                field=e.get("field") or "",
                message=str(e.get("message")),
                line=e.get("line"),
            )
            for e in exc.errors
        ]
        return CheckOut(valid=False, message=exc.message, errors=problems, version=None, items=0, diff=None)
    diff = _parsed_diff(session, parsed)
    message = f"目录文件有效：版本 {parsed.version}，共 {len(parsed.items)} 个信息事项"
    return CheckOut(
        valid=True, message=message, errors=[], version=parsed.version, items=len(parsed.items), diff=diff
    )


def stage(session: Session, text: str, *, actor: str, clock: Clock) -> VersionDetailOut:
    """Store a valid catalog file as a version that is not current yet (``CatalogInvalid`` otherwise),
    audited (``catalog.staged``). The same label with the same content is the version already stored;
    with other content it is refused."""
    parsed = parse_catalog(text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = repository.version_by_label(session, parsed.version)
    if existing is not None:
        if existing.digest != digest:
            raise Conflict(
                f"目录版本 {parsed.version} 已存在且内容不同：修改目录请使用新的版本号",
                code="CATALOG_VERSION_EXISTS",
                details={"version": parsed.version},
            )
        return detail(session, existing.id)
    version = CatalogVersion(
        version=parsed.version,
        title=parsed.title,
        issued_by=parsed.issued_by,
        effective_date=parsed.effective_date,
        digest=digest,
        source_text=text,
        imported_by=actor,
        imported_at=clock.now(),
    )
    versions_repository.add_version(session, version, rows_for(parsed))
    audit.record(
        session,
        actor=actor,
        action="catalog.staged",
        entity="catalog_version",
        entity_id=version.id,
        after={"version": parsed.version, "digest": digest},
        detail={"items": len(parsed.items)},
        clock=clock,
    )
    return detail(session, version.id)


def _version(session: Session, version_id: int) -> CatalogVersion:
    version = session.get(CatalogVersion, version_id)
    if version is None:
        raise NotFound(f"目录版本 {version_id} 不存在", code="CATALOG_VERSION_NOT_FOUND")
    return version


def detail(session: Session, version_id: int) -> VersionDetailOut:
    """A stored version and its changes against the current one."""
    version = _version(session, version_id)
    out = version_out(version, versions_repository.item_count(session, version.id))
    if version.is_current:
        return VersionDetailOut(version=out, diff=None)
    items = [stored_spec(row.spec) for row in repository.items_of(session, version.id)]
    header = _header(version.title, version.issued_by, version.effective_date)
    diff = _diff_against_current(session, items, version.version, header, _lists_of(session, version.id))
    return VersionDetailOut(version=out, diff=diff)


def make_current(session: Session, version_id: int, *, actor: str, clock: Clock) -> VersionOut:
    """Make a stored version the current one: from now on records are checked against its items.
    Audited (``catalog.made_current``); the current version again changes nothing."""
    version = _version(session, version_id)
    if not version.is_current:
        make_version_current(session, version, actor=actor, clock=clock)
    return version_out(version, versions_repository.item_count(session, version.id))
