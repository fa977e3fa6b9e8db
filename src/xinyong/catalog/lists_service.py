"""The four lists of the current catalog version, as the rest of the platform reads them (``current_lists``,
``scope_row``) and as they are published (``published_lists``, ``published_scopes``,
``published_measures``: each scope item and measure with Chinese labels beside the stable values, the
measures a scope item triggers and the scope items that name a measure)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy.orm import Session

from xinyong.catalog import repository
from xinyong.catalog.lists import ListKind, ListScope, Measure, MeasureKind, Scenario
from xinyong.catalog.service import current_version
from xinyong.catalog.terms import _LabelledEnum
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


# --------------------------------------------------------------------------- the four lists, published


class Labelled(BaseModel):
    """A stable value and its Chinese label."""

    value: str
    label: str


class Ref(BaseModel):
    """A scope item, measure or catalog item by code and name."""

    code: str
    name: str


class TriggersOut(BaseModel):
    lists: list[Labelled]
    items: list[Ref]
    clean_years: int | None


class ScopeOut(BaseModel):
    """One item of the red or black scope list (名单范围清单)."""

    code: str
    list_kind: Labelled
    name: str
    conduct: str
    legal_basis: str
    initiating_department_kinds: list[str]
    document_kinds: list[Labelled]
    period_months: int
    subject_types: list[Labelled]
    #: The measures a listing under this item triggers.
    measures: list[Ref]
    exit_conditions: str


class MeasureOut(BaseModel):
    """One measure of the incentive or punishment list (奖惩措施清单)."""

    code: str
    kind: Labelled
    name: str
    content: str
    legal_basis: str
    implementing_department_kinds: list[str]
    subject_types: list[Labelled]
    scenarios: list[Labelled]
    nature: Labelled
    effect: Labelled
    #: Punishments: the lowest severity of a record that can trigger it (a list entry counts as 严重).
    min_severity: Labelled | None
    triggers: TriggersOut
    #: The scope items that name it.
    scopes: list[Ref]


class ScopesOut(BaseModel):
    version: str
    scopes: list[ScopeOut]


class MeasuresOut(BaseModel):
    version: str
    measures: list[MeasureOut]


class ListsOut(BaseModel):
    """The four lists of the current version: red and black scope items, incentives and punishments."""

    version: str
    red_scopes: list[ScopeOut]
    black_scopes: list[ScopeOut]
    incentives: list[MeasureOut]
    punishments: list[MeasureOut]


_LIST_KIND_ZH: dict[ListKind, str] = {ListKind.red: "诚信典型名单", ListKind.black: "严重失信主体名单"}
_MEASURE_KIND_ZH: dict[MeasureKind, str] = {
    MeasureKind.incentive: "守信激励",
    MeasureKind.punishment: "失信惩戒",
}


def _label(member: _LabelledEnum) -> Labelled:
    return Labelled(value=member.value, label=member.label_zh)


def _list_kind(kind: ListKind) -> Labelled:
    return Labelled(value=kind.value, label=_LIST_KIND_ZH[kind])


def _scope_out(scope: ListScope, measures: dict[str, Measure]) -> ScopeOut:
    return ScopeOut(
        code=scope.code,
        list_kind=_list_kind(scope.list_kind),
        name=scope.name,
        conduct=scope.conduct,
        legal_basis=scope.legal_basis,
        initiating_department_kinds=list(scope.initiating_department_kinds),
        document_kinds=[_label(d) for d in scope.document_kinds],
        period_months=scope.period_months,
        subject_types=[_label(s) for s in scope.subject_types],
        measures=[Ref(code=c, name=measures[c].name if c in measures else c) for c in scope.measures],
        exit_conditions=scope.exit_conditions,
    )


def _measure_out(measure: Measure, scopes: dict[str, ListScope], items: dict[str, str]) -> MeasureOut:
    return MeasureOut(
        code=measure.code,
        kind=Labelled(value=measure.kind.value, label=_MEASURE_KIND_ZH[measure.kind]),
        name=measure.name,
        content=measure.content,
        legal_basis=measure.legal_basis,
        implementing_department_kinds=list(measure.implementing_department_kinds),
        subject_types=[_label(s) for s in measure.subject_types],
        scenarios=[_label(s) for s in measure.scenarios],
        nature=_label(measure.nature),
        effect=_label(measure.effect),
        min_severity=(
            Labelled(value=measure.min_severity.value, label=measure.min_severity.label_zh)
            if measure.min_severity is not None
            else None
        ),
        triggers=TriggersOut(
            lists=[_list_kind(kind) for kind in measure.triggers.lists],
            items=[Ref(code=c, name=items.get(c, c)) for c in measure.triggers.items],
            clean_years=measure.triggers.clean_years,
        ),
        scopes=[Ref(code=s.code, name=s.name) for s in scopes.values() if measure.code in s.measures],
    )


def _published(session: Session) -> tuple[Lists, list[ScopeOut], list[MeasureOut]]:
    lists = current_lists(session)
    version = current_version(session)
    items = {row.code: row.name for row in repository.items_of(session, version.id)}
    scopes = [_scope_out(s, lists.measures) for s in lists.scopes.values()]
    measures = [_measure_out(m, lists.scopes, items) for m in lists.measures.values()]
    return lists, scopes, measures


def published_scopes(session: Session, *, list_kind: ListKind | None = None) -> ScopesOut:
    """The scope items of the current version (``CATALOG_EMPTY`` before the first import), of one list
    when ``list_kind`` is given."""
    lists, scopes, _ = _published(session)
    chosen = [s for s in scopes if list_kind is None or s.list_kind.value == list_kind.value]
    return ScopesOut(version=lists.version, scopes=chosen)


def published_measures(
    session: Session,
    *,
    kind: MeasureKind | None = None,
    scenario: Scenario | None = None,
    list_kind: ListKind | None = None,
) -> MeasuresOut:
    """The measures of the current version, of one kind, biting in one scenario, or triggered by entries of
    one list, when given."""
    lists, _, measures = _published(session)
    chosen = [
        m
        for m in measures
        if (kind is None or m.kind.value == kind.value)
        and (scenario is None or scenario.value in {s.value for s in m.scenarios})
        and (list_kind is None or list_kind.value in {k.value for k in m.triggers.lists})
    ]
    return MeasuresOut(version=lists.version, measures=chosen)


def published_lists(session: Session) -> ListsOut:
    """The four lists of the current version, each on its own (the pages' content)."""
    lists, scopes, measures = _published(session)
    return ListsOut(
        version=lists.version,
        red_scopes=[s for s in scopes if s.list_kind.value == ListKind.red.value],
        black_scopes=[s for s in scopes if s.list_kind.value == ListKind.black.value],
        incentives=[m for m in measures if m.kind.value == MeasureKind.incentive.value],
        punishments=[m for m in measures if m.kind.value == MeasureKind.punishment.value],
    )
