"""The version diff names scope items and measures added, removed and changed (with the properties that
differ, in Chinese), and leaves the items' diff as it was."""

from __future__ import annotations

from typing import Any

from xinyong.catalog.diff import ListDiff, diff_catalogs, diff_lists
from xinyong.catalog.schema import default_catalog_path, parse_catalog
from xinyong.web import templates


def _lists() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    cat = parse_catalog(default_catalog_path().read_text(encoding="utf-8"))
    items = [i.model_dump(mode="json") for i in cat.items]
    return (
        items,
        [s.model_dump(mode="json") for s in cat.scopes],
        [m.model_dump(mode="json") for m in cat.measures],
    )


def test_scope_items_and_measures_added_removed_and_changed() -> None:
    items, scopes, measures = _lists()
    new_scopes = [s for s in scopes if s["code"] != "SX-007"]
    sx1 = next(s for s in new_scopes if s["code"] == "SX-001")
    new_scopes[new_scopes.index(sx1)] = {**sx1, "period_months": 24, "legal_basis": "《新的依据》"}
    new_measures = [*measures, {**measures[0], "code": "CJ-099", "name": "新措施"}]
    cj2 = next(m for m in new_measures if m["code"] == "CJ-002")
    new_measures[new_measures.index(cj2)] = {
        **cj2,
        "min_severity": "general",
        "scenarios": ["public_funds", "awards"],
    }
    diff = diff_catalogs(
        items, items, from_version="v1", to_version="v2",
        old_scopes=scopes, new_scopes=new_scopes, old_measures=measures, new_measures=new_measures,
    )  # fmt: skip
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])
    assert [r.code for r in diff.scopes.removed] == ["SX-007"] and diff.scopes.added == []
    (changed_scope,) = diff.scopes.changed
    assert (changed_scope.code, changed_scope.properties) == ("SX-001", ["依据", "列入期限"])
    assert diff.scopes.unchanged == len(scopes) - 2
    assert [(r.code, r.name) for r in diff.measures.added] == [("CJ-099", "新措施")]
    (changed_measure,) = diff.measures.changed
    assert changed_measure.properties == ["适用场景", "最低严重程度"]
    assert not diff.empty


def test_without_lists_on_the_new_side_nothing_is_compared_and_equal_lists_are_empty() -> None:
    items, scopes, measures = _lists()
    plain = diff_catalogs(items, items, from_version="v1", to_version="v1", old_header={}, new_header={})
    assert plain.scopes == ListDiff() and plain.measures == ListDiff() and plain.empty
    same = diff_lists(measures, measures)
    assert same.empty and same.unchanged == len(measures)
    first = diff_lists([], scopes)
    assert [r.code for r in first.added] == [s["code"] for s in scopes] and first.unchanged == 0


def test_the_lists_part_of_the_version_page_names_each_change() -> None:
    items, scopes, measures = _lists()
    new_measures = [m for m in measures if m["code"] != "JL-007"]
    new_measures[0] = {**new_measures[0], "legal_basis": "《新的依据》"}
    diff = diff_catalogs(
        items, items, from_version="v1", to_version="v2",
        old_scopes=scopes, new_scopes=scopes, old_measures=measures, new_measures=new_measures,
    )  # fmt: skip
    macro = templates.env.get_template("console/list_catalog_diff.html").module.lists_diff  # type: ignore[attr-defined]
    html = str(macro(diff))
    assert 'id="diff-scopes"' not in html and 'id="diff-measures"' in html
    assert (
        "删除措施 <code>JL-007</code>" in html
        and "修改措施 <code>CJ-001</code> 限制参加政府采购活动：依据" in html
    )
    same = diff_catalogs(
        items, items, from_version="v1", to_version="v1", new_scopes=scopes, old_scopes=scopes
    )
    assert 'id="diff-lists-none"' in str(macro(same))
