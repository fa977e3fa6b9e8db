"""The four lists of the current catalog version, as the rest of the platform reads them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from xinyong.catalog import repository
from xinyong.catalog.lists import ListScope, Measure
from xinyong.catalog.service import current_version
from xinyong.kit.errors import NotFound
from xinyong.models.lists import ListScopeRow


@dataclass(frozen=True)
class Lists:
    """The current version's label, scope items and measures (validated specs, by code)."""

    version: str
    scopes: dict[str, ListScope]
    scope_ids: dict[str, int]
    measures: dict[str, Measure]


def current_lists(session: Session) -> Lists:
    """The scope items and measures of the current catalog version."""
    version = current_version(session)
    scope_rows = repository.scopes_of(session, version.id)
    return Lists(
        version=version.version,
        scopes={row.code: ListScope.model_validate(row.spec) for row in scope_rows},
        scope_ids={row.code: row.id for row in scope_rows},
        measures={
            row.code: Measure.model_validate(row.spec) for row in repository.measures_of(session, version.id)
        },
    )


class ScopeNotFound(NotFound):
    code = "LIST_SCOPE_NOT_FOUND"
    message = "名单范围清单中没有该事项：只能依据现行范围清单列入名单"


def scope_row(session: Session, code: str) -> tuple[ListScopeRow, ListScope]:
    """The current version's scope item ``code`` (``LIST_SCOPE_NOT_FOUND`` otherwise)."""
    version = current_version(session)
    for row in repository.scopes_of(session, version.id):
        if row.code == code:
            return row, ListScope.model_validate(row.spec)
    raise ScopeNotFound(f"名单范围清单中没有编码为 {code} 的事项", details={"scope": code})
