"""The fields of a catalog item: :class:`FieldSpec`, and the checks on an item's list of fields
(unique names, the core fields with their types, a subject identifier that fits the subject types)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from pydantic import BaseModel, Field, model_validator

from xinyong.catalog.terms import (
    CORE_FIELD_NAMES,
    CORE_FIELD_TYPES,
    DOCUMENT_CATEGORIES,
    LENGTH_TYPES,
    MODEL_CONFIG,
    Category,
    FieldType,
    Issue,
    NonEmptyStr,
    SubjectType,
    raise_issues,
)

__all__ = ["FieldSpec", "field_issues"]


class FieldSpec(BaseModel):
    """One field of a catalog item's record schema."""

    model_config = MODEL_CONFIG

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    label: NonEmptyStr
    type: FieldType
    required: bool = False
    enum: list[NonEmptyStr] | None = None
    max_length: int | None = Field(default=None, ge=1)
    description: str | None = None

    @model_validator(mode="after")
    def _check(self) -> FieldSpec:
        issues: list[Issue] = []
        if self.type == FieldType.ENUM:
            if not self.enum:
                issues.append((("enum",), "枚举类型字段必须列出可选值（enum）"))
            elif len(set(self.enum)) != len(self.enum):
                dupes = sorted({v for v in self.enum if self.enum.count(v) > 1})
                issues.append((("enum",), f"可选值重复：{'、'.join(dupes)}"))
        elif self.enum is not None:
            issues.append((("enum",), f"只有枚举类型字段才能列出可选值，本字段类型为 {self.type.value}"))
        if self.max_length is not None and self.type not in LENGTH_TYPES:
            issues.append((("max_length",), "只有 string、text 类型字段才能设定最大长度"))
        raise_issues(issues)
        return self


def field_issues(
    fields: Sequence[FieldSpec], category: Category, subject_types: Collection[SubjectType]
) -> list[Issue]:
    """What is wrong with an item's fields, given its category and subject types."""
    issues: list[Issue] = []
    seen = _first_positions(fields, issues)
    required_core = list(CORE_FIELD_NAMES)
    if category in DOCUMENT_CATEGORIES:
        required_core.append("decision_no")
    issues.extend((("fields",), f"缺少核心字段 {name}") for name in required_core if name not in seen)
    issues.extend(_core_type_issues(fields, seen, required_core))
    if "subject_id" in seen:
        issues.extend(_subject_id_issues(fields[seen["subject_id"]], seen["subject_id"], subject_types))
    return issues


def _first_positions(fields: Sequence[FieldSpec], issues: list[Issue]) -> dict[str, int]:
    """Index of each field name's first occurrence; every repetition is an issue."""
    seen: dict[str, int] = {}
    for index, spec in enumerate(fields):
        if spec.name in seen:
            issues.append(
                (("fields", index, "name"), f"字段名 {spec.name} 与第 {seen[spec.name] + 1} 个字段重复")
            )
        else:
            seen[spec.name] = index
    return seen


def _core_type_issues(
    fields: Sequence[FieldSpec], seen: dict[str, int], required_core: Collection[str]
) -> list[Issue]:
    issues: list[Issue] = []
    for name, allowed in CORE_FIELD_TYPES.items():
        if name not in seen:
            continue
        index = seen[name]
        spec = fields[index]
        if spec.type not in allowed:
            names = "、".join(sorted(t.value for t in allowed))
            issues.append((("fields", index, "type"), f"核心字段 {name} 的类型应为 {names}"))
        if name in required_core and not spec.required:
            issues.append((("fields", index, "required"), f"核心字段 {name} 必须为必填（required: true）"))
    return issues


def _subject_id_issues(spec: FieldSpec, index: int, subject_types: Collection[SubjectType]) -> list[Issue]:
    has_person = SubjectType.NATURAL_PERSON in subject_types
    only_person = set(subject_types) == {SubjectType.NATURAL_PERSON}
    if spec.type == FieldType.USCC and has_person:
        return [
            (
                ("fields", index, "type"),
                "事项包含自然人，subject_id 不能只接受统一社会信用代码（应为 ric 或 string）",
            )
        ]
    if spec.type == FieldType.RIC and not only_person:
        return [
            (
                ("fields", index, "type"),
                "事项包含非自然人主体，subject_id 不能只接受公民身份号码（应为 uscc 或 string）",
            )
        ]
    return []
