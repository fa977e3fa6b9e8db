"""Catalog schema: the default catalog, round trips, and errors that name the item and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Enum as SAEnum

from xinyong import models
from xinyong.catalog import schema as catalog_schema
from xinyong.catalog import terms as catalog_terms
from xinyong.catalog.schema import (
    CORE_FIELD_NAMES,
    DOCUMENT_CATEGORIES,
    CatalogFile,
    CatalogInvalid,
    Category,
    FieldType,
    Openness,
    Severity,
    SubjectType,
    default_catalog_path,
    dump_catalog,
    load_catalog_file,
    load_default_catalog,
    outcome_label_zh,
    parse_catalog,
)
from xinyong.kit.errors import InvalidInput, NotFound
from xinyong.models import records as records_models


def _penalty_item(code: str = "CF-001") -> dict[str, Any]:
    return {
        "code": code,
        "name": "行政处罚信息",
        "category": "penalty",
        "subject_types": ["legal_person"],
        "source_department_kind": "各行政执法机关",
        "source_department_kinds": ["行政机关"],
        "legal_basis": "《中华人民共和国行政处罚法》",
        "openness": "public",
        "collection_deadline_workdays": 7,
        "severity_rule": {
            "by_field": "penalty_kind",
            "map": {"警告": "minor", "罚款(较大数额)": "general", "吊销许可证件": "serious"},
        },
        "publication_rule": {
            "from_field": "decision_date",
            "by_severity": {
                "minor": {"publish": False, "min_months": 0, "max_months": 3},
                "general": {"publish": True, "min_months": 3, "max_months": 12},
                "serious": {"publish": True, "min_months": 12, "max_months": 36},
            },
        },
        "fields": [
            {"name": "subject_name", "label": "行政相对人名称", "type": "string", "required": True},
            {"name": "subject_id", "label": "统一社会信用代码", "type": "uscc", "required": True},
            {"name": "source_record_id", "label": "数据标识", "type": "string", "required": True},
            {"name": "decision_no", "label": "行政处罚决定书文号", "type": "string", "required": True},
            {"name": "decision_date", "label": "处罚决定日期", "type": "date", "required": True},
            {
                "name": "penalty_kind",
                "label": "处罚类别",
                "type": "enum",
                "required": True,
                "enum": ["警告", "罚款(较大数额)", "吊销许可证件"],
            },
        ],
    }


def _licence_item(code: str = "XK-001") -> dict[str, Any]:
    return {
        "code": code,
        "name": "行政许可信息",
        "category": "licence",
        "subject_types": ["legal_person"],
        "source_department_kind": "各行政许可机关",
        "source_department_kinds": ["行政机关"],
        "legal_basis": "《中华人民共和国行政许可法》",
        "openness": "public",
        "collection_deadline_workdays": 7,
        "severity_rule": "none",
        "publication_rule": {"from_field": "decision_date", "fixed": {"publish": True}},
        "fields": [
            {"name": "subject_name", "label": "行政相对人名称", "type": "string", "required": True},
            {"name": "subject_id", "label": "统一社会信用代码", "type": "uscc", "required": True},
            {"name": "source_record_id", "label": "数据标识", "type": "string", "required": True},
            {"name": "decision_no", "label": "许可文书号", "type": "string", "required": True},
            {"name": "decision_date", "label": "许可决定日期", "type": "date", "required": True},
        ],
    }


def _catalog(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "test-1",
        "title": "测试目录",
        "issued_by": "测试信用办",
        "effective_date": "2025-01-01",
        "items": list(items) or [_penalty_item(), _licence_item()],
    }


def _text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _reject(data: dict[str, Any]) -> CatalogInvalid:
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog(_text(data))
    return caught.value


def _error_for(exc: CatalogInvalid, item: str | None, field: str) -> dict[str, Any]:
    matches = [e for e in exc.errors if e["item"] == item and e["field"] == field]
    assert matches, f"no error for item={item} field={field}: {exc.details['errors']}"
    return matches[0]


# --------------------------------------------------------------------------- the default catalog


def test_default_catalog_parses_and_covers_every_category() -> None:
    catalog = load_default_catalog()
    assert catalog.version == "2024-local-3"
    assert catalog.title == "公共信用信息目录（默认版）"
    assert {item.category for item in catalog.items} == set(Category)
    assert len(catalog.codes) == len(set(catalog.codes))
    assert len(catalog.items) >= 20


def test_default_catalog_items_follow_the_core_field_convention() -> None:
    for item in load_default_catalog().items:
        for name in CORE_FIELD_NAMES:
            spec = item.field(name)
            assert spec is not None and spec.required, (item.code, name)
        if item.category in DOCUMENT_CATEGORIES:
            decision_no = item.field("decision_no")
            assert decision_no is not None and decision_no.required, item.code


def test_default_catalog_has_natural_person_and_government_items() -> None:
    catalog = load_default_catalog()
    assert catalog.item("SF-003").subject_types == [SubjectType.NATURAL_PERSON]
    subject_id = catalog.item("SF-003").field("subject_id")
    assert subject_id is not None and subject_id.type == FieldType.RIC
    government = [i.code for i in catalog.items if SubjectType.GOVERNMENT_BODY in i.subject_types]
    assert {"SF-004", "HT-002"} <= set(government)


def test_default_double_publicity_items_have_seven_working_days() -> None:
    catalog = load_default_catalog()
    for code in ("XK-001", "CF-001"):
        item = catalog.item(code)
        assert item.collection_deadline_workdays == 7
        assert item.openness == Openness.PUBLIC


@pytest.mark.parametrize(
    ("penalty_kind", "severity", "publish", "min_months", "max_months"),
    [
        ("警告", Severity.minor, False, 0, 3),
        ("罚款(较小数额)", Severity.minor, False, 0, 3),
        ("罚款(较大数额)", Severity.general, True, 3, 12),
        ("没收违法所得/没收非法财物", Severity.general, True, 3, 12),
        ("罚款(巨额)", Severity.serious, True, 12, 36),
        ("吊销许可证件", Severity.serious, True, 12, 36),
        ("责令停产停业", Severity.serious, True, 12, 36),
        ("责令关闭", Severity.serious, True, 12, 36),
    ],
)
def test_default_penalty_severity_and_window(
    penalty_kind: str, severity: Severity, publish: bool, min_months: int, max_months: int
) -> None:
    item = load_default_catalog().item("CF-001")
    values = {"penalty_kind": penalty_kind}
    assert item.severity_for(values) is severity
    window = item.publication_window(values)
    assert (window.publish, window.min_months, window.max_months) == (publish, min_months, max_months)


def test_default_non_dishonesty_items_have_no_severity() -> None:
    catalog = load_default_catalog()
    for code in ("DJ-001", "XK-001", "RY-001"):
        item = catalog.item(code)
        assert item.severity_rule == "none"
        assert item.severity_for({}) is None
        assert item.publication_window({}).max_months is None
    assert catalog.item("HT-001").severity_for({"performance_status": "履约完毕"}) is None
    assert catalog.item("HT-001").severity_for({"performance_status": "恶意违约"}) is Severity.serious
    assert catalog.item("YZ-001").severity_for({}) is Severity.serious


def test_dump_then_parse_round_trips() -> None:
    catalog = load_default_catalog()
    text = dump_catalog(catalog)
    again = parse_catalog(text)
    assert again == catalog
    assert dump_catalog(again) == text
    assert "行政处罚信息" in text  # allow_unicode: Chinese stays readable
    assert text.index("version:") < text.index("title:") < text.index("items:")


def test_enum_labels_and_lookup() -> None:
    assert Category.PENALTY.label_zh == "行政处罚"
    assert Openness.GOVERNMENT_SHARED.label_zh == "政务共享"
    assert SubjectType.INDIVIDUAL_BUSINESS.label_zh == "个体工商户"
    assert Severity.from_text("严重") is Severity.serious
    assert Severity.from_text("minor") is Severity.minor
    assert Severity.minor.rank < Severity.general.rank < Severity.serious.rank
    assert outcome_label_zh("none") == "非失信信息"
    with pytest.raises(ValueError, match="取值不在允许范围内"):
        Severity.from_text("特别严重")


def test_there_is_one_severity_class() -> None:
    """The catalog's rules, the record column and the API share one Severity: no conversion by value."""
    assert catalog_schema.Severity is catalog_terms.Severity is records_models.Severity is models.Severity
    assert [(s.name, s.value, s.label_zh, s.rank) for s in Severity] == [
        ("minor", "minor", "轻微", 1),
        ("general", "general", "一般", 2),
        ("serious", "serious", "严重", 3),
    ]
    rule = load_default_catalog().item("CF-001").publication_rule
    assert rule.window_for(records_models.Severity.serious).max_months == 36
    column = records_models.CreditRecord.__table__.c.severity.type
    assert isinstance(column, SAEnum) and column.enum_class is Severity


def test_unknown_item_code_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        load_default_catalog().item("CF-999")
    assert caught.value.code == "CATALOG_ITEM_NOT_FOUND"
    assert "CF-999" in caught.value.message


# --------------------------------------------------------------------------- rejected files


def test_minimal_catalog_is_valid() -> None:
    catalog = parse_catalog(_text(_catalog()))
    assert isinstance(catalog, CatalogFile)
    assert catalog.codes == ["CF-001", "XK-001"]


def test_bad_field_type_names_item_and_field_path() -> None:
    data = _catalog()
    data["items"][0]["fields"][1]["type"] = "id_card"
    exc = _reject(data)
    assert isinstance(exc, InvalidInput)
    assert exc.code == "CATALOG_INVALID"
    assert exc.status == 422
    error = _error_for(exc, "CF-001", "fields[subject_id].type")  # named by the field's name
    assert error["message"].startswith("取值不在允许范围内")
    assert "id_card" in error["message"]
    assert "事项 CF-001 字段 fields[subject_id].type：取值不在允许范围内" in exc.message
    assert "CF-001" in str(exc) and "fields[subject_id].type" in str(exc) and "fields[1]" not in str(exc)


def test_field_without_a_usable_name_is_named_by_index() -> None:
    data = _catalog()
    data["items"][0]["fields"][2]["name"] = 42
    exc = _reject(data)
    assert _error_for(exc, "CF-001", "fields[2].name")


def test_missing_legal_basis_names_item() -> None:
    data = _catalog()
    del data["items"][1]["legal_basis"]
    exc = _reject(data)
    assert _error_for(exc, "XK-001", "legal_basis")["message"] == "缺少必填字段"
    assert "事项 XK-001 字段 legal_basis：缺少必填字段" in exc.message


def test_blank_legal_basis_is_rejected() -> None:
    data = _catalog()
    data["items"][0]["legal_basis"] = "   "
    exc = _reject(data)
    assert _error_for(exc, "CF-001", "legal_basis")["message"] == "不能为空"


def test_unknown_key_is_rejected() -> None:
    data = _catalog()
    data["items"][0]["fields"][2]["colour"] = "red"
    data["items"][1]["publication_rule"]["fixed"]["forever"] = True
    exc = _reject(data)
    assert _error_for(exc, "CF-001", "fields[source_record_id].colour")["message"] == "不认识的字段"
    assert _error_for(exc, "XK-001", "publication_rule.fixed.forever")["message"] == "不认识的字段"


def test_unknown_top_level_key_is_rejected() -> None:
    data = _catalog()
    data["author"] = "someone"
    exc = _reject(data)
    assert _error_for(exc, None, "author")["message"] == "不认识的字段"


def test_severity_by_missing_field_is_rejected() -> None:
    data = _catalog()
    data["items"][0]["severity_rule"]["by_field"] = "penalty_type"
    exc = _reject(data)
    error = _error_for(exc, "CF-001", "severity_rule.by_field")
    assert "penalty_type" in error["message"]
    assert "不在本事项的字段中" in error["message"]


def test_severity_map_must_cover_every_enum_value_or_give_default() -> None:
    data = _catalog()
    del data["items"][0]["severity_rule"]["map"]["吊销许可证件"]
    exc = _reject(data)
    assert "吊销许可证件" in _error_for(exc, "CF-001", "severity_rule.map")["message"]

    data["items"][0]["severity_rule"]["default"] = "serious"
    assert parse_catalog(_text(data)).item("CF-001").severity_for({"penalty_kind": "吊销许可证件"}) is (
        Severity.serious
    )


def test_severity_map_value_must_be_a_severity() -> None:
    data = _catalog()
    data["items"][0]["severity_rule"]["map"]["警告"] = "huge"
    exc = _reject(data)
    message = _error_for(exc, "CF-001", "severity_rule.map.警告")["message"]
    assert "huge" in message and "minor" in message


def test_severity_rule_of_unknown_shape_is_rejected() -> None:
    data = _catalog()
    data["items"][0]["severity_rule"] = {"level": "serious"}
    exc = _reject(data)
    assert "严重程度规则应为" in _error_for(exc, "CF-001", "severity_rule")["message"]


def test_licence_with_severity_is_rejected() -> None:
    data = _catalog()
    data["items"][1]["severity_rule"] = {"fixed": "minor"}
    exc = _reject(data)
    assert "应为 none" in _error_for(exc, "XK-001", "severity_rule")["message"]


def test_duplicate_item_codes_are_rejected() -> None:
    exc = _reject(_catalog(_penalty_item("CF-001"), _licence_item(), _penalty_item("CF-001")))
    error = _error_for(exc, "CF-001", "code")
    assert "重复" in error["message"]
    assert "第 1 项与第 3 项" in error["message"]


def test_duplicate_field_names_are_rejected() -> None:
    data = _catalog()
    data["items"][1]["fields"].append({"name": "subject_name", "label": "重名", "type": "string"})
    exc = _reject(data)
    # two fields share the name: the index tells them apart
    assert "重复" in _error_for(exc, "XK-001", "fields[5].name")["message"]


def test_enum_field_without_values_is_rejected() -> None:
    data = _catalog()
    del data["items"][0]["fields"][5]["enum"]
    exc = _reject(data)
    assert "可选值" in _error_for(exc, "CF-001", "fields[penalty_kind].enum")["message"]


def test_enum_values_on_non_enum_field_are_rejected() -> None:
    data = _catalog()
    data["items"][1]["fields"][0]["enum"] = ["甲", "乙"]
    exc = _reject(data)
    assert "只有枚举类型字段" in _error_for(exc, "XK-001", "fields[subject_name].enum")["message"]


def test_missing_core_field_is_rejected() -> None:
    data = _catalog()
    data["items"][1]["fields"] = [f for f in data["items"][1]["fields"] if f["name"] != "decision_no"]
    exc = _reject(data)
    assert "decision_no" in _error_for(exc, "XK-001", "fields")["message"]


def test_uscc_subject_id_with_natural_persons_is_rejected() -> None:
    data = _catalog()
    data["items"][1]["subject_types"] = ["legal_person", "natural_person"]
    exc = _reject(data)
    assert "自然人" in _error_for(exc, "XK-001", "fields[subject_id].type")["message"]


def test_bad_code_format_and_prefix() -> None:
    data = _catalog()
    data["items"][0]["code"] = "cf-1"
    exc = _reject(data)
    assert "CF-001" in _error_for(exc, "cf-1", "code")["message"]

    data["items"][0]["code"] = "XK-009"
    exc = _reject(data)
    assert "CF" in _error_for(exc, "XK-009", "code")["message"]


def test_item_without_readable_code_is_named_by_position() -> None:
    data = _catalog()
    del data["items"][1]["code"]
    exc = _reject(data)
    assert _error_for(exc, "第2项", "code")["message"] == "缺少必填字段"
    assert "事项 第2项 字段 code" in exc.message


def test_windows_outside_national_bounds_are_rejected() -> None:
    data = _catalog()
    data["items"][0]["publication_rule"]["by_severity"]["general"]["max_months"] = 24
    data["items"][0]["publication_rule"]["by_severity"]["serious"]["min_months"] = 6
    exc = _reject(data)
    assert "12" in _error_for(exc, "CF-001", "publication_rule.by_severity.general.max_months")["message"]
    assert "12" in _error_for(exc, "CF-001", "publication_rule.by_severity.serious.min_months")["message"]


def test_missing_window_for_a_possible_severity_is_rejected() -> None:
    data = _catalog()
    del data["items"][0]["publication_rule"]["by_severity"]["serious"]
    exc = _reject(data)
    assert "严重" in _error_for(exc, "CF-001", "publication_rule.by_severity")["message"]


def test_non_public_item_may_not_publish() -> None:
    data = _catalog()
    data["items"][1]["openness"] = "government_shared"
    exc = _reject(data)
    assert "publish" in _error_for(exc, "XK-001", "publication_rule.fixed.publish")["message"]


def test_penalty_deadline_over_seven_working_days_is_rejected() -> None:
    data = _catalog()
    data["items"][0]["collection_deadline_workdays"] = 10
    exc = _reject(data)
    assert "7 个工作日" in _error_for(exc, "CF-001", "collection_deadline_workdays")["message"]


def test_bad_effective_date_is_reported_at_file_level() -> None:
    data = _catalog()
    data["effective_date"] = "2025-13-01"
    exc = _reject(data)
    assert "日期" in _error_for(exc, None, "effective_date")["message"]
    assert "字段 effective_date" in exc.message


def test_yaml_syntax_error_reports_line() -> None:
    text = "version: '1'\ntitle: 测试\nitems:\n  - code: CF-001\n    name: [未闭合\n"
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog(text, source="broken.yaml")
    exc = caught.value
    assert exc.code == "CATALOG_INVALID"
    (error,) = exc.details["errors"]
    assert error["line"] == 6
    assert "第 6 行" in exc.message
    assert "broken.yaml" in exc.message
    assert exc.details["source"] == "broken.yaml"


def test_yaml_duplicate_key_is_rejected_with_line() -> None:
    text = "version: '1'\ntitle: 测试\ntitle: 又一个\n"
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog(text)
    (error,) = caught.value.details["errors"]
    assert error["line"] == 3
    assert "重复的键：title" in error["message"]


def test_yaml_that_is_not_a_mapping_is_rejected() -> None:
    with pytest.raises(CatalogInvalid) as caught:
        parse_catalog("- a\n- b\n")
    assert "键值映射" in caught.value.message


def test_load_catalog_file_reads_files_and_reports_missing_ones(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(_text(_catalog()), encoding="utf-8")
    assert load_catalog_file(path).version == "test-1"
    assert default_catalog_path().is_file()

    with pytest.raises(CatalogInvalid) as caught:
        load_catalog_file(tmp_path / "absent.yaml")
    assert "无法读取目录文件" in caught.value.message


def test_catalog_invalid_errors_are_json_friendly() -> None:
    data = _catalog()
    data["items"][0]["fields"][1]["type"] = "id_card"
    body = _reject(data).to_dict()
    assert body["code"] == "CATALOG_INVALID"
    assert json.loads(json.dumps(body, ensure_ascii=False)) == body
    assert set(body["details"]["errors"][0]) == {"item", "field", "message"}
