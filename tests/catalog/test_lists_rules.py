"""The four lists refuse what is unlawful: each rule on a scope item or a measure (checked when the catalog
file is read, messages in Chinese through the catalog's error path) and each rule that joins the lists
and the items (``list_issues``); the shipped lists pass them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from xinyong.catalog.errors import CatalogInvalid
from xinyong.catalog.lists import ListScope, Measure, list_issues
from xinyong.catalog.model import CatalogFile
from xinyong.catalog.schema import default_catalog_path, parse_catalog

Data = dict[str, Any]
DEFAULT = default_catalog_path().read_text(encoding="utf-8")


def _data() -> Data:
    data: Data = yaml.safe_load(DEFAULT)
    return data


def _one(data: Data, section: str, code: str) -> Data:
    found: Data = next(e for e in data[section] if e["code"] == code)
    return found


def _messages(data: Data) -> list[str]:
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return [str(e["message"]) for e in caught.value.errors]


def _issues(cat: CatalogFile, scopes: list[ListScope], measures: list[Measure]) -> list[str]:
    outcomes = {item.code: item.possible_outcomes() for item in cat.items}
    return [message for _, message in list_issues(scopes, measures, outcomes)]


def test_the_shipped_lists_are_lawful_and_complete() -> None:
    cat = parse_catalog(DEFAULT)
    assert _issues(cat, list(cat.scopes), list(cat.measures)) == []
    black = [s for s in cat.scopes if s.list_kind == "black"]
    red = [s for s in cat.scopes if s.list_kind == "red"]
    punish = [m for m in cat.measures if m.kind == "punishment"]
    reward = [m for m in cat.measures if m.kind == "incentive"]
    assert len(black) >= 7 and len(red) >= 4 and len(punish) >= 15 and len(reward) >= 6
    scopes = {s.code: s for s in cat.scopes}
    assert scopes["SX-001"].measures[:3] == ["CJ-001", "CJ-002", "CJ-003"]
    assert scopes["CX-001"].measures[:2] == ["JL-001", "JL-002"]
    scenarios = {s for m in cat.measures for s in m.scenarios}
    assert len(scenarios) == 11


Edit = Callable[[Data], None]


def _set(section: str, code: str, key: str, value: Any) -> Edit:
    def edit(data: Data) -> None:
        _one(data, section, code)[key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _set("scopes", "SX-001", "document_kinds", ["honour_decision"]),
            "严重失信主体名单不能依据表彰决定列入",
        ),
        (
            _set("scopes", "CX-001", "document_kinds", ["penalty_decision"]),
            "诚信典型名单只能依据表彰决定或认定决定列入",
        ),
        (_set("scopes", "SX-001", "period_months", 48), "列入期限须在 12 至 36 个月之间"),
        (_set("measures", "CJ-002", "triggers", {"lists": ["red"]}), "失信惩戒措施只能由严重失信主体名单"),
        (
            _set("measures", "JL-001", "triggers", {"lists": ["red"], "items": ["RY-001"]}),
            "激励措施不能由信用记录触发",
        ),
        (_set("measures", "CJ-001", "min_severity", "general"), "禁止类惩戒措施只能由严重失信信息触发"),
        (
            _set("measures", "CJ-010", "effect", "prohibit"),
            "市场性措施由市场主体、行业组织或社会自主实施，效果不得为禁止",
        ),
        (_set("measures", "CJ-002", "legal_basis", "  "), "不能为空"),
        (_set("measures", "CJ-002", "min_severity", None), "惩戒措施须写明可触发的最低严重程度"),
        (
            _set("scopes", "SX-002", "initiating_department_kinds", ["国税局"]),
            "部门类别“国税局”不在部门类别表中",
        ),
    ],
)
def test_an_unlawful_scope_item_or_measure_is_refused_with_its_reason(edit: Edit, expected: str) -> None:
    data = _data()
    parse_catalog(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))  # lawful before the edit
    edit(data)
    messages = _messages(data)
    assert any(expected in m for m in messages), messages


def _replace(models: list[Any], code: str, **update: Any) -> list[Any]:
    return [m.model_copy(update=update) if m.code == code else m for m in models]


def test_the_rules_that_join_scopes_measures_and_items() -> None:
    cat = parse_catalog(DEFAULT)
    scopes, measures = list(cat.scopes), list(cat.measures)
    sx1 = next(s for s in scopes if s.code == "SX-001")
    cases: list[tuple[list[ListScope], list[Measure], str]] = [
        (
            _replace(scopes, "SX-001", measures=[*sx1.measures, "JL-001"]),
            measures,
            "SX-001 只能引用失信惩戒措施：JL-001",
        ),
        (
            _replace(scopes, "SX-001", measures=[*sx1.measures, "CJ-099"]),
            measures,
            "措施清单中没有编码为 CJ-099 的措施",
        ),
        (
            scopes,
            _replace(measures, "CJ-004", triggers=_trig(lists=[], items=["YZ-001"])),
            "措施 CJ-004 的触发条件未包含严重失信主体名单",
        ),
        (
            scopes,
            _replace(measures, "CJ-009", subject_types=["natural_person"]),
            "措施 CJ-009 不适用于 SX-001",
        ),
        (
            scopes,
            _replace(measures, "CJ-001", triggers=_trig(lists=["black"], items=["YC-001"])),
            "目录事项 YC-001 的记录达不到措施要求的严重程度",
        ),
        (
            scopes,
            _replace(measures, "CJ-003", triggers=_trig(lists=["black"], items=["QQ-001"])),
            "目录中没有编码为 QQ-001 的事项",
        ),
        ([*scopes, sx1], measures, "编码 SX-001 重复"),
    ]
    for case_scopes, case_measures, expected in cases:
        found = _issues(cat, case_scopes, case_measures)
        assert any(expected in m for m in found), (expected, found)


def _trig(**values: Any) -> Any:
    cat = parse_catalog(DEFAULT)
    return cat.measures[0].triggers.model_copy(update=values)


def test_a_measure_nothing_can_trigger_is_refused() -> None:
    cat = parse_catalog(DEFAULT)
    # CJ-013 is triggered only by listings under SX-003 and SX-007: without them it would never apply.
    scopes = [s.model_copy(update={"measures": [c for c in s.measures if c != "CJ-013"]}) for s in cat.scopes]
    assert _issues(cat, list(cat.scopes), list(cat.measures)) == []
    found = _issues(cat, scopes, list(cat.measures))
    assert any("措施 CJ-013 没有任何范围事项引用" in m for m in found), found
