"""What changes between two catalog versions: items added, removed and changed, and for a changed item
which of its properties and which of its fields (added, removed, changed, and in what) differ; and the
same for the four lists (scope items and measures, ``CatalogDiff.scopes`` / ``.measures``): added,
removed, and for a changed one which properties differ.

Pure: it compares items as stored (``CatalogItemRow.spec``, read by ``service.stored_spec``) or as parsed
(``CatalogItem.model_dump(mode="json")``), so a version stored under older rules compares with a new file
on what each means today.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

#: Item properties the diff names by their Chinese label (any other is named by its key).
PROPERTY_ZH: dict[str, str] = {
    "name": "名称",
    "category": "信息类别",
    "subject_types": "主体类型",
    "source_department_kind": "来源部门",
    "source_department_kinds": "来源部门类别",
    "legal_basis": "依据",
    "openness": "开放方式",
    "collection_deadline_workdays": "归集时限",
    "severity_rule": "严重程度规则",
    "publication_rule": "公示期限规则",
    "minors_excluded": "未成年人除外",
    "fields": "字段",
}
#: Scope item and measure properties the diff names by their Chinese label (any other by its key).
LIST_PROPERTY_ZH: dict[str, str] = {
    "list_kind": "名单类别",
    "kind": "措施类别",
    "name": "名称",
    "conduct": "列入情形",
    "content": "措施内容",
    "legal_basis": "依据",
    "initiating_department_kinds": "认定部门类别",
    "implementing_department_kinds": "实施部门类别",
    "document_kinds": "法律文书",
    "period_months": "列入期限",
    "subject_types": "主体类型",
    "measures": "适用措施",
    "exit_conditions": "移出条件",
    "scenarios": "适用场景",
    "nature": "措施性质",
    "effect": "效果",
    "min_severity": "最低严重程度",
    "triggers": "触发条件",
}
#: File-level properties compared besides the items.
HEADER_KEYS = ("title", "issued_by", "effective_date")


class ItemRef(BaseModel):
    code: str
    name: str


class FieldChange(BaseModel):
    name: str
    #: The field's properties that differ (label, type, required, max_length, enum, ...).
    properties: list[str]


class ItemChange(BaseModel):
    code: str
    name: str
    #: Labels of the item's properties that differ, fields apart.
    properties: list[str]
    fields_added: list[str]
    fields_removed: list[str]
    fields_changed: list[FieldChange]


class ListEntryChange(BaseModel):
    """A scope item or measure present in both versions with different content."""

    code: str
    name: str
    #: Labels of the properties that differ (``LIST_PROPERTY_ZH``).
    properties: list[str]


class ListDiff(BaseModel):
    """Scope items (or measures) added, removed and changed between two versions."""

    added: list[ItemRef] = Field(default_factory=list)
    removed: list[ItemRef] = Field(default_factory=list)
    changed: list[ListEntryChange] = Field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


class CatalogDiff(BaseModel):
    from_version: str | None
    to_version: str
    #: File-level properties that differ (title, issued_by, effective_date).
    header: list[str]
    added: list[ItemRef]
    removed: list[ItemRef]
    changed: list[ItemChange]
    unchanged: int
    #: The scope list (红黑名单范围清单) and the measure lists (奖惩措施清单); empty when not compared.
    scopes: ListDiff = Field(default_factory=ListDiff)
    measures: ListDiff = Field(default_factory=ListDiff)

    @property
    def empty(self) -> bool:
        items_same = not (self.header or self.added or self.removed or self.changed)
        return items_same and self.scopes.empty and self.measures.empty


def _by_key(rows: Sequence[Mapping[str, Any]], key: str) -> dict[str, Mapping[str, Any]]:
    return {str(row.get(key)): row for row in rows}


def _differing(
    old: Mapping[str, Any], new: Mapping[str, Any], skip: frozenset[str] = frozenset()
) -> list[str]:
    keys = [k for k in dict.fromkeys([*old, *new]) if k not in skip]
    return [k for k in keys if old.get(k) != new.get(k)]


def _field_changes(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[str], list[FieldChange]]:
    before, after = _by_key(old, "name"), _by_key(new, "name")
    added = [name for name in after if name not in before]
    removed = [name for name in before if name not in after]
    changed = [
        FieldChange(name=name, properties=_differing(before[name], after[name]))
        for name in after
        if name in before and before[name] != after[name]
    ]
    return added, removed, changed


def item_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> ItemChange | None:
    """How item ``new`` differs from ``old`` (the same code), or None when they are equal."""
    if old == new:
        return None
    properties = [PROPERTY_ZH.get(k, k) for k in _differing(old, new, frozenset({"fields", "code"}))]
    added, removed, changed = _field_changes(old.get("fields") or [], new.get("fields") or [])
    return ItemChange(
        code=str(new.get("code")),
        name=str(new.get("name")),
        properties=properties,
        fields_added=added,
        fields_removed=removed,
        fields_changed=changed,
    )


def diff_catalogs(
    old_items: Sequence[Mapping[str, Any]],
    new_items: Sequence[Mapping[str, Any]],
    *,
    from_version: str | None,
    to_version: str,
    old_header: Mapping[str, Any] | None = None,
    new_header: Mapping[str, Any] | None = None,
    old_scopes: Sequence[Mapping[str, Any]] | None = None,
    new_scopes: Sequence[Mapping[str, Any]] | None = None,
    old_measures: Sequence[Mapping[str, Any]] | None = None,
    new_measures: Sequence[Mapping[str, Any]] | None = None,
) -> CatalogDiff:
    """The changes from ``old_items`` to ``new_items`` (each an item as a dict with its ``code``), in the
    new file's order, removed items in the old one's; ``old_header``/``new_header`` hold the file-level
    properties (``HEADER_KEYS``); the scope items and measures of each side (``ListScopeRow.spec`` /
    ``MeasureRow.spec`` or ``model_dump(mode="json")``) are compared when the new side is given."""
    before, after = _by_key(old_items, "code"), _by_key(new_items, "code")
    changes = [item_change(before[code], item) for code, item in after.items() if code in before]
    changed = [c for c in changes if c is not None]
    old_head = {k: (old_header or {}).get(k) for k in HEADER_KEYS}
    new_head = {k: (new_header or {}).get(k) for k in HEADER_KEYS}
    return CatalogDiff(
        from_version=from_version,
        to_version=to_version,
        header=_differing(old_head, new_head) if old_header is not None else [],
        added=[ItemRef(code=c, name=str(i.get("name"))) for c, i in after.items() if c not in before],
        removed=[ItemRef(code=c, name=str(i.get("name"))) for c, i in before.items() if c not in after],
        changed=changed,
        unchanged=len(changes) - len(changed),
        scopes=diff_lists(old_scopes or [], new_scopes) if new_scopes is not None else ListDiff(),
        measures=diff_lists(old_measures or [], new_measures) if new_measures is not None else ListDiff(),
    )


def diff_lists(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> ListDiff:
    """Scope items or measures (dicts with a ``code``) added, removed and changed from ``old`` to ``new``,
    in the new list's order, removed ones in the old one's."""
    before, after = _by_key(old, "code"), _by_key(new, "code")
    changed = [
        ListEntryChange(
            code=code,
            name=str(entry.get("name")),
            properties=[
                LIST_PROPERTY_ZH.get(k, k) for k in _differing(before[code], entry, frozenset({"code"}))
            ],
        )
        for code, entry in after.items()
        if code in before and before[code] != entry
    ]
    return ListDiff(
        added=[ItemRef(code=c, name=str(e.get("name"))) for c, e in after.items() if c not in before],
        removed=[ItemRef(code=c, name=str(e.get("name"))) for c, e in before.items() if c not in after],
        changed=changed,
        unchanged=sum(1 for code in after if code in before) - len(changed),
    )
