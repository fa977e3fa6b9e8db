"""Submission templates (报送模板): for each catalog item a CSV and an XLSX file whose header is the item's
field labels, with one example row that the collection pipeline accepts as it is, and (XLSX) a second
sheet giving every field's rules: type, required, format and allowed values.

The template states the catalog, it decides nothing: a file built from it goes through the same reader
and validation as every other file (``ingest.readers``, ``ingest.validation``)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.catalog.schema import CatalogItem, FieldSpec, FieldType
from xinyong.catalog.service import current_items, item_row, item_spec
from xinyong.ingest.validation import FUTURE_DATE_FIELDS, TEXT_CEILING
from xinyong.kit import ids
from xinyong.kit.cells import XlsxDownload, csv_download
from xinyong.models import Department
from xinyong.subjects.service import kind_of_uscc

__all__ = [
    "DATA_SHEET",
    "RULES_SHEET",
    "FieldRuleOut",
    "TemplateItemOut",
    "example_row",
    "field_rules",
    "submittable_items",
    "template_csv",
    "template_xlsx",
]

DATA_SHEET: Final = "填报数据"
RULES_SHEET: Final = "填写说明"
RULE_COLUMNS: Final = ("字段名称（表头）", "字段名", "类型", "是否必填", "格式要求", "可选值", "说明")
#: Region of the example identifiers when the caller has none (any valid GB/T 2260 code will do).
FALLBACK_REGION: Final = "110000"
#: Address code of the example citizen ID (北京市东城区, valid since before 1990).
RIC_REGION: Final = "110101"
#: Rows of the XLSX template prepared for entry (text format, drop-down lists for allowed values).
ENTRY_ROWS: Final = 1000
_EXCEL_LIST_LIMIT: Final = 255
#: USCC prefixes tried for the example subject: enterprise, individual business, government, institution.
_USCC_PREFIXES: Final = ("91", "92", "11", "12")

_FORMATS: Final[dict[FieldType, str]] = {
    FieldType.DATE: "日期，如 2026-03-16（也可写 2026/03/16、20260316、2026年3月16日）",
    FieldType.DATETIME: "日期时间，如 2026-03-16 09:30:00",
    FieldType.INTEGER: "整数，如 2025",
    FieldType.DECIMAL: "数字，可带小数，如 1.5",
    FieldType.MONEY: "金额（元），不得为负数，如 50000 或 50,000.00",
    FieldType.BOOLEAN: "填“是”或“否”",
    FieldType.ENUM: "须为可选值之一（照抄可选值，不要改字）",
    FieldType.USCC: "18 位统一社会信用代码，校验位须正确",
    FieldType.RIC: "18 位公民身份号码，校验位须正确",
}


class FieldRuleOut(BaseModel):
    """What a cell of one field must hold, in the words of the catalog."""

    name: str = Field(description="字段名（也可作表头）")
    label: str = Field(description="中文名称（模板表头）")
    type: str
    type_label: str
    required: bool
    format: str = Field(description="格式要求")
    allowed: list[str] = Field(description="可选值（仅枚举字段）")
    description: str | None


class TemplateItemOut(BaseModel):
    """A catalog item a department submits, with its templates and the rules of its fields."""

    code: str
    name: str
    category: str
    category_label: str
    collection_deadline_workdays: int | None = Field(description="归集时限（工作日），双公示事项为 7")
    template_csv: str = Field(description="CSV 模板下载地址")
    template_xlsx: str = Field(description="XLSX 模板下载地址（第二张表为填写说明）")
    fields: list[FieldRuleOut]


def _format(f: FieldSpec, spec: CatalogItem) -> str:
    if f.type in _FORMATS:
        text = _FORMATS[f.type]
    elif f.name == "subject_id":
        text = "统一社会信用代码（组织）或公民身份号码（自然人），校验位须正确"
    else:
        text = f"文字，最多 {f.max_length or TEXT_CEILING} 个字"
    if f.type is FieldType.DATE and f.name in ("decision_date", spec.publication_rule.from_field):
        text += "；不得晚于报送当日"
    elif f.type is FieldType.DATE and f.name not in FUTURE_DATE_FIELDS:
        text += "；不得晚于今天"
    return text


def field_rules(spec: CatalogItem) -> list[FieldRuleOut]:
    """The rules of every field of ``spec``, in the catalog's order."""
    return [
        FieldRuleOut(
            name=f.name,
            label=f.label,
            type=f.type.value,
            type_label=f.type.label_zh,
            required=f.required,
            format=_format(f, spec),
            allowed=list(f.enum or []),
            description=f.description,
        )
        for f in spec.fields
    ]


def _example_uscc(region: str, body: str, prefix: str) -> str:
    org = body + ids.calc_org_check(body)
    return prefix + region + org + ids.calc_uscc_check(prefix + region + org)


def _example_ric() -> str:
    """A citizen ID of an adult born where the code has long been valid (an address code must exist
    in the year of birth, so the caller's own region may be too young)."""
    body = f"{RIC_REGION}19900101123"
    return body + ids.calc_ric_check(body)


def _example_text(f: FieldSpec, spec: CatalogItem) -> str:
    samples = {
        "subject_name": "张某某" if _persons(spec) else "示例商贸有限公司",
        "source_record_id": f"{spec.code}-示例-0001",
        "decision_no": f"示例〔{spec.code}〕1号",
        "legal_representative": "张某某",
        "operator_name": "张某某",
        "principal_name": "张某某",
    }
    text = samples.get(f.name, f"示例{f.label}")
    return text[: f.max_length] if f.max_length else text


def _example_value(f: FieldSpec, spec: CatalogItem, today: dt.date, region: str) -> str:
    """A value of ``f`` that validation accepts; empty for an optional date (its meaning, such as a
    removal date, would change the example record)."""
    kind = f.type
    if kind is FieldType.RIC or (f.name == "subject_id" and kind is FieldType.STRING and _persons(spec)):
        return _example_ric()
    if kind is FieldType.USCC or f.name == "subject_id":
        return (
            _example_uscc(region, "MA1LB001", _prefix(spec)) if f.name == "subject_id" else _authority(region)
        )
    if kind is FieldType.DATE:
        if not f.required:
            return ""
        later = f.name in FUTURE_DATE_FIELDS
        return (today + dt.timedelta(days=365) if later else today).isoformat()
    simple = {
        FieldType.DATETIME: f"{today.isoformat()} 09:30:00",
        FieldType.INTEGER: str(today.year - 1),
        FieldType.DECIMAL: "1.5",
        FieldType.MONEY: "50000",
        FieldType.BOOLEAN: "否",
    }
    if kind in simple:
        return simple[kind]
    if kind is FieldType.ENUM:
        return (f.enum or [""])[0]
    return _example_text(f, spec)


def _persons(spec: CatalogItem) -> bool:
    return all(t.value == "natural_person" for t in spec.subject_types)


def _prefix(spec: CatalogItem) -> str:
    """The first two characters of an example USCC naming a subject of a kind the item collects."""
    kinds = {t.value for t in spec.subject_types}
    return next((p for p in _USCC_PREFIXES if kind_of_uscc(p + "0" * 16).value in kinds), "91")


def _authority(region: str) -> str:
    return _example_uscc(region, "MB100001", "11")


def _region(region: str | None) -> str:
    return region if region and len(region) == 6 and region.isdigit() else FALLBACK_REGION


def example_row(spec: CatalogItem, *, today: dt.date, region: str | None = None) -> list[str]:
    """One row of example values, accepted by validation on ``today`` (identifiers of ``region``)."""
    where = _region(region)
    return [_example_value(f, spec, today, where) for f in spec.fields]


def template_csv(session: Session, item_code: str, *, today: dt.date, region: str | None = None) -> bytes:
    """The CSV template of a current catalog item: the labels, then the example row (UTF-8 with BOM)."""
    spec = item_spec(item_row(session, item_code))
    return csv_download([[f.label for f in spec.fields], example_row(spec, today=today, region=region)])


def _rules_sheet(out: XlsxDownload, spec: CatalogItem) -> None:
    sheet = out.add_sheet(RULES_SHEET)
    bold = out.book.add_format({"bold": True, "bg_color": "#F0F3F6"})
    wrap = out.book.add_format({"text_wrap": True, "valign": "top"})
    out.write_row(sheet, 0, list(RULE_COLUMNS), bold)
    for r, rule in enumerate(field_rules(spec), start=1):
        values = [
            rule.label,
            rule.name,
            rule.type_label,
            "必填" if rule.required else "选填",
            rule.format,
            "、".join(rule.allowed),
            rule.description or "",
        ]
        out.write_row(sheet, r, values, wrap)
    note = len(spec.fields) + 2
    sheet.write_string(
        note, 0, f"事项：{spec.code} {spec.name}。表头可用中文名称或字段名；第 2 行为示例，请改为实际数据。"
    )
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 3, 10)
    sheet.set_column(4, 6, 48)
    sheet.freeze_panes(1, 0)


def template_xlsx(session: Session, item_code: str, *, today: dt.date, region: str | None = None) -> bytes:
    """The XLSX template: sheet 1 (read on upload) the labels and the example row, every cell text;
    required headers in red; drop-down lists of allowed values; sheet 2 the rules of each field."""
    spec = item_spec(item_row(session, item_code))
    out = XlsxDownload()
    sheet = out.add_sheet(DATA_SHEET)
    text = out.book.add_format({"num_format": "@"})
    head = out.book.add_format({"bold": True, "bg_color": "#F0F3F6", "num_format": "@"})
    must = out.book.add_format(
        {"bold": True, "bg_color": "#F0F3F6", "font_color": "#A4161A", "num_format": "@"}
    )
    for c, f in enumerate(spec.fields):
        sheet.write_string(0, c, f.label, must if f.required else head)
        sheet.set_column(c, c, max(12, min(40, 2 * len(f.label) + 4)), text)
        allowed = f.enum or []
        if allowed and len(",".join(allowed)) <= _EXCEL_LIST_LIMIT:
            sheet.data_validation(1, c, ENTRY_ROWS, c, {"validate": "list", "source": allowed})
    out.write_row(sheet, 1, example_row(spec, today=today, region=region), text)
    sheet.freeze_panes(1, 0)
    _rules_sheet(out, spec)
    return out.finish()


def submittable_items(session: Session, dept: Department) -> list[TemplateItemOut]:
    """The current catalog's items that ``dept`` may submit (``CatalogItem.provided_by``: 谁产生、谁提供),
    each with its template links and field rules."""
    out = []
    for row in current_items(session):
        spec = item_spec(row)
        if not spec.provided_by(dept.kind):
            continue
        out.append(
            TemplateItemOut(
                code=spec.code,
                name=spec.name,
                category=spec.category.value,
                category_label=spec.category.label_zh,
                collection_deadline_workdays=spec.collection_deadline_workdays,
                template_csv=f"/api/v1/ingest/templates/{spec.code}.csv",
                template_xlsx=f"/api/v1/ingest/templates/{spec.code}.xlsx",
                fields=field_rules(spec),
            )
        )
    return out
