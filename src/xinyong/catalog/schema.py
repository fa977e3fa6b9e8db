"""The public credit information catalog (公共信用信息目录): its schema, loading and export.

The catalog is data. It is the only thing that says what the platform may hold: every credit
record references one catalog item (``CatalogItem.code``) and carries exactly the fields that item
declares. A catalog file is YAML; :func:`parse_catalog` / :func:`load_catalog_file` turn it into a
validated :class:`CatalogFile` and :func:`dump_catalog` writes it back (export → import round-trips).

Item codes
    Two upper-case letters, a hyphen and three digits, e.g. ``CF-001``. The letters are the pinyin
    initials of the category (:data:`CODE_PREFIXES`): DJ 登记, SF 司法, XK 许可, CF 处罚, QZ/QT 强制/其他
    行政行为, ZG 资格, YC 异常, YZ 严重失信, HT 合同, CN 承诺, PJ 评价, RY 荣誉, ZS 知识产权. Local
    supplementary items keep the prefix and use their own serial range (e.g. ``CF-101``).

Core fields (every item declares them, with these types, all required)
    ``subject_name``      string — the subject's name as on the deciding document (主体名称)
    ``subject_id``        the subject's identifier (主体标识): ``uscc`` when no subject type is a natural
                          person, ``ric`` when the only subject type is natural person, ``string`` for
                          items covering both (the record layer then accepts either form)
    ``source_record_id``  string — the source department's own id for the record (一数一源: the key
                          for de-duplication, corrections and revocations)
    ``decision_date``     date — date of the deciding document (决定/认定/登记/授予日期); publication
                          windows run from here unless ``publication_rule.from_field`` says otherwise
    ``decision_no``       string — number of the deciding document (文书号/案号); present and required
                          for categories in :data:`DOCUMENT_CATEGORIES` (licence, penalty, judicial,
                          abnormal operation, serious dishonesty), optional elsewhere.

Severity (section 6 of the domain brief, 《信用修复管理办法》)
    ``severity_rule`` is ``none`` (not dishonesty information: registration, licences, honours …),
    ``{fixed: serious}``, or ``{by_field: penalty_kind, map: {警告: minor, …}, default: general}``;
    map values and ``default`` may also be ``none`` (e.g. a contract performed normally).
    Registration, licence and honour items must be ``none``; serious-dishonesty lists ``fixed: serious``.

Publication (``publication_rule``)
    ``by_severity`` windows for dishonesty information must lie within the national bounds
    (:data:`NATIONAL_WINDOW_BOUNDS`: 轻微 ≤ 3 months and not published in principle, 一般 3–12,
    严重 12–36); ``fixed`` is the window for records without severity, or for every record where
    another law sets the period (then ``note`` must name it). ``max_months: null`` means no automatic
    end; ``until_field`` names a date field that ends publication earlier (validity, removal).
    Items whose openness is not 公开 may not publish.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, Literal, Self, Union

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from xinyong.kit.errors import InvalidInput, NotFound

__all__ = [
    "CODE_PREFIXES",
    "CORE_FIELD_NAMES",
    "DOCUMENT_CATEGORIES",
    "NATIONAL_WINDOW_BOUNDS",
    "NO_SEVERITY",
    "CatalogFile",
    "CatalogInvalid",
    "CatalogItem",
    "Category",
    "FieldSpec",
    "FieldType",
    "FixedSeverity",
    "Openness",
    "PublicationRule",
    "PublicationWindow",
    "Severity",
    "SeverityByField",
    "SeverityOutcome",
    "SeverityRule",
    "SubjectType",
    "default_catalog_path",
    "dump_catalog",
    "load_catalog_file",
    "load_default_catalog",
    "outcome_label_zh",
    "parse_catalog",
]


# --------------------------------------------------------------------------- enums


class _LabelledEnum(StrEnum):
    """A StrEnum with stable English values and a Chinese label for users."""

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[type(self)][self.value]

    @classmethod
    def from_text(cls, text: str) -> Self:
        """Member for an English value or a Chinese label (e.g. from a spreadsheet); ValueError otherwise."""
        wanted = text.strip()
        for member in cls:
            if wanted in (member.value, member.label_zh):
                return member
        raise ValueError(f"取值不在允许范围内：{wanted}")


class SubjectType(_LabelledEnum):
    LEGAL_PERSON = "legal_person"
    UNINCORPORATED_ORG = "unincorporated_org"
    INDIVIDUAL_BUSINESS = "individual_business"
    NATURAL_PERSON = "natural_person"
    GOVERNMENT_BODY = "government_body"
    PUBLIC_INSTITUTION = "public_institution"


class Openness(_LabelledEnum):
    PUBLIC = "public"
    AUTHORISED = "authorised"
    GOVERNMENT_SHARED = "government_shared"
    CLOSED = "closed"


class Severity(_LabelledEnum):
    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"

    @property
    def rank(self) -> int:
        """1 for 轻微, 2 for 一般, 3 for 严重: compare severities with this."""
        return _SEVERITY_RANK[self]


class Category(_LabelledEnum):
    REGISTRATION = "registration"
    JUDICIAL = "judicial"
    LICENCE = "licence"
    PENALTY = "penalty"
    ADMINISTRATIVE_OTHER = "administrative_other"
    QUALIFICATION = "qualification"
    ABNORMAL_OPERATION = "abnormal_operation"
    SERIOUS_DISHONESTY = "serious_dishonesty"
    CONTRACT = "contract"
    COMMITMENT = "commitment"
    EVALUATION = "evaluation"
    HONOUR = "honour"
    INTELLECTUAL_PROPERTY = "intellectual_property"


class FieldType(_LabelledEnum):
    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    ENUM = "enum"
    USCC = "uscc"
    RIC = "ric"
    MONEY = "money"


_LABELS_ZH: Final[dict[type[_LabelledEnum], dict[str, str]]] = {
    SubjectType: {
        "legal_person": "法人",
        "unincorporated_org": "非法人组织",
        "individual_business": "个体工商户",
        "natural_person": "自然人",
        "government_body": "政府机构",
        "public_institution": "事业单位",
    },
    Openness: {
        "public": "公开",
        "authorised": "授权查询",
        "government_shared": "政务共享",
        "closed": "不公开",
    },
    Severity: {"minor": "轻微", "general": "一般", "serious": "严重"},
    Category: {
        "registration": "登记注册",
        "judicial": "司法裁判及执行",
        "licence": "行政许可",
        "penalty": "行政处罚",
        "administrative_other": "行政强制及其他行政行为",
        "qualification": "职业资格",
        "abnormal_operation": "经营异常名录",
        "serious_dishonesty": "严重失信主体名单",
        "contract": "合同履约",
        "commitment": "信用承诺及履约",
        "evaluation": "信用评价结果",
        "honour": "表彰荣誉",
        "intellectual_property": "知识产权",
    },
    FieldType: {
        "string": "字符串",
        "text": "长文本",
        "integer": "整数",
        "decimal": "小数",
        "date": "日期",
        "datetime": "日期时间",
        "boolean": "是否",
        "enum": "枚举",
        "uscc": "统一社会信用代码",
        "ric": "公民身份号码",
        "money": "金额",
    },
}

_SEVERITY_RANK: Final[dict[Severity, int]] = {Severity.MINOR: 1, Severity.GENERAL: 2, Severity.SERIOUS: 3}

NO_SEVERITY: Final = "none"
"""The severity-rule / map value for information that is not dishonesty information."""

NO_SEVERITY_LABEL_ZH: Final = "非失信信息"

SeverityOutcome = Severity | Literal["none"]
"""What a severity mapping yields: a severity, or ``"none"`` for non-dishonesty information."""

CODE_PREFIXES: Final[Mapping[Category, tuple[str, ...]]] = {
    Category.REGISTRATION: ("DJ",),
    Category.JUDICIAL: ("SF",),
    Category.LICENCE: ("XK",),
    Category.PENALTY: ("CF",),
    Category.ADMINISTRATIVE_OTHER: ("QZ", "QT"),
    Category.QUALIFICATION: ("ZG",),
    Category.ABNORMAL_OPERATION: ("YC",),
    Category.SERIOUS_DISHONESTY: ("YZ",),
    Category.CONTRACT: ("HT",),
    Category.COMMITMENT: ("CN",),
    Category.EVALUATION: ("PJ",),
    Category.HONOUR: ("RY",),
    Category.INTELLECTUAL_PROPERTY: ("ZS",),
}
"""Allowed item-code prefixes per category."""

DOCUMENT_CATEGORIES: Final[frozenset[Category]] = frozenset(
    {
        Category.LICENCE,
        Category.PENALTY,
        Category.JUDICIAL,
        Category.ABNORMAL_OPERATION,
        Category.SERIOUS_DISHONESTY,
    }
)
"""Categories whose records always rest on a numbered document: ``decision_no`` is required."""

_NON_DISHONESTY_CATEGORIES: Final[frozenset[Category]] = frozenset(
    {Category.REGISTRATION, Category.LICENCE, Category.HONOUR}
)
_DOUBLE_PUBLICITY_CATEGORIES: Final[frozenset[Category]] = frozenset({Category.LICENCE, Category.PENALTY})
DOUBLE_PUBLICITY_WORKDAYS: Final = 7
"""双公示: licences and penalties are collected and published within 7 working days."""

CORE_FIELD_NAMES: Final[tuple[str, ...]] = ("subject_name", "subject_id", "source_record_id", "decision_date")
"""Fields every item declares, all required (``decision_no`` is added for :data:`DOCUMENT_CATEGORIES`)."""

_CORE_FIELD_TYPES: Final[Mapping[str, frozenset[FieldType]]] = {
    "subject_name": frozenset({FieldType.STRING}),
    "subject_id": frozenset({FieldType.USCC, FieldType.RIC, FieldType.STRING}),
    "source_record_id": frozenset({FieldType.STRING}),
    "decision_date": frozenset({FieldType.DATE}),
    "decision_no": frozenset({FieldType.STRING}),
}

NATIONAL_WINDOW_BOUNDS: Final[Mapping[Severity, tuple[int, int]]] = {
    Severity.MINOR: (0, 3),
    Severity.GENERAL: (3, 12),
    Severity.SERIOUS: (12, 36),
}
"""(lowest ``min_months``, highest ``max_months``) per severity, from 《信用修复管理办法》 (2026)."""

_DATE_TYPES: Final[frozenset[FieldType]] = frozenset({FieldType.DATE, FieldType.DATETIME})
_LENGTH_TYPES: Final[frozenset[FieldType]] = frozenset({FieldType.STRING, FieldType.TEXT})


# --------------------------------------------------------------------------- validation helpers

_Issue = tuple[tuple[str | int, ...], str]


def _raise_issues(issues: Sequence[_Issue]) -> None:
    """Raise the collected rule violations of one model as one pydantic error (expanded later)."""
    if issues:
        summary = "；".join(message for _, message in issues)
        raise PydanticCustomError("catalog_rule", "{summary}", {"summary": summary, "issues": list(issues)})


def _outcome_before(value: Any) -> Any:
    if isinstance(value, Severity) or value == NO_SEVERITY:
        return value
    if isinstance(value, str) and value in Severity._value2member_map_:
        return Severity(value)
    allowed = "、".join([*(s.value for s in Severity), NO_SEVERITY])
    raise PydanticCustomError(
        "severity_outcome",
        "取值不在允许范围内：“{value}”（可选：{allowed}）",
        {"value": value, "allowed": allowed},
    )


_Outcome = Annotated[SeverityOutcome, BeforeValidator(_outcome_before)]

_NonEmptyStr = Annotated[str, Field(min_length=1)]

_MODEL_CONFIG: Final = ConfigDict(
    extra="forbid",
    frozen=True,
    str_strip_whitespace=True,
    coerce_numbers_to_str=True,
)


def outcome_label_zh(outcome: SeverityOutcome) -> str:
    """Chinese label of a severity outcome: 轻微 / 一般 / 严重 / 非失信信息."""
    return NO_SEVERITY_LABEL_ZH if outcome == NO_SEVERITY else Severity(outcome).label_zh


# --------------------------------------------------------------------------- models


class FieldSpec(BaseModel):
    """One field of a catalog item's record schema."""

    model_config = _MODEL_CONFIG

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    label: _NonEmptyStr
    type: FieldType
    required: bool = False
    enum: list[_NonEmptyStr] | None = None
    max_length: int | None = Field(default=None, ge=1)
    description: str | None = None

    @model_validator(mode="after")
    def _check(self) -> FieldSpec:
        issues: list[_Issue] = []
        if self.type == FieldType.ENUM:
            if not self.enum:
                issues.append((("enum",), "枚举类型字段必须列出可选值（enum）"))
            elif len(set(self.enum)) != len(self.enum):
                dupes = sorted({v for v in self.enum if self.enum.count(v) > 1})
                issues.append((("enum",), f"可选值重复：{'、'.join(dupes)}"))
        elif self.enum is not None:
            issues.append((("enum",), f"只有枚举类型字段才能列出可选值，本字段类型为 {self.type.value}"))
        if self.max_length is not None and self.type not in _LENGTH_TYPES:
            issues.append((("max_length",), "只有 string、text 类型字段才能设定最大长度"))
        _raise_issues(issues)
        return self


class FixedSeverity(BaseModel):
    """Every record of the item has the same severity."""

    model_config = _MODEL_CONFIG

    fixed: Severity


class SeverityByField(BaseModel):
    """The severity follows the value of an enum field (e.g. ``penalty_kind``)."""

    model_config = _MODEL_CONFIG

    by_field: str
    map: dict[str, _Outcome] = Field(min_length=1)
    default: _Outcome | None = None

    def outcome_for(self, value: object) -> SeverityOutcome | None:
        """Mapped outcome for a field value, the default, or None when neither applies."""
        if isinstance(value, str) and value in self.map:
            return self.map[value]
        return self.default


def _severity_rule_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "none" if value == NO_SEVERITY else None
    if isinstance(value, FixedSeverity):
        return "fixed"
    if isinstance(value, SeverityByField):
        return "by_field"
    if isinstance(value, Mapping):
        if "by_field" in value:
            return "by_field"
        if "fixed" in value:
            return "fixed"
    return None


_SEVERITY_RULE_TAGS: Final = frozenset({"fixed", "by_field", "none"})
_SEVERITY_RULE_HELP: Final = (
    "严重程度规则应为 none、{fixed: 严重程度} 或 {by_field: 字段名, map: {取值: 严重程度}}"
)

SeverityRule = Annotated[
    Union[  # noqa: UP007 - tagged members need the explicit Union form
        Annotated[FixedSeverity, Tag("fixed")],
        Annotated[SeverityByField, Tag("by_field")],
        Annotated[Literal["none"], Tag("none")],
    ],
    Discriminator(
        _severity_rule_tag,
        custom_error_type="severity_rule_invalid",
        custom_error_message=_SEVERITY_RULE_HELP,
    ),
]


class PublicationWindow(BaseModel):
    """How long records are published (and shared) after ``from_field``.

    ``publish`` — shown on the public portal at all; ``min_months`` — earliest point at which a repair
    (信用修复) may end publication; ``max_months`` — publication stops by itself (None: no automatic end).
    """

    model_config = _MODEL_CONFIG

    publish: bool
    min_months: int = Field(default=0, ge=0)
    max_months: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check(self) -> PublicationWindow:
        if self.max_months is not None and self.min_months > self.max_months:
            _raise_issues([(("min_months",), "公示期限下限不能大于上限（max_months）")])
        return self


class PublicationRule(BaseModel):
    """Publication windows: one ``fixed`` window, per-severity windows, or both (see module doc)."""

    model_config = _MODEL_CONFIG

    from_field: str = "decision_date"
    until_field: str | None = None
    fixed: PublicationWindow | None = None
    by_severity: dict[Severity, PublicationWindow] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PublicationRule:
        if self.fixed is None and not self.by_severity:
            _raise_issues([((), "公示规则至少要给出 fixed 或 by_severity 之一")])
        return self

    def window_for(self, severity: Severity | None) -> PublicationWindow:
        """The window for a record of this severity (None = non-dishonesty information)."""
        if severity is not None and self.by_severity and severity in self.by_severity:
            return self.by_severity[severity]
        if self.fixed is not None:
            return self.fixed
        label = severity.label_zh if severity is not None else NO_SEVERITY_LABEL_ZH
        raise InvalidInput(f"公示规则未规定{label}信息的公示期限", code="CATALOG_RULE_MISSING")


class CatalogItem(BaseModel):
    """One item of the catalog: what may be collected, from whom, how it is shown and for how long."""

    model_config = _MODEL_CONFIG

    code: str = Field(pattern=r"^[A-Z]{2}-[0-9]{3}$")
    name: _NonEmptyStr
    category: Category
    subject_types: list[SubjectType] = Field(min_length=1)
    source_department_kind: _NonEmptyStr
    legal_basis: _NonEmptyStr
    openness: Openness
    collection_deadline_workdays: int | None = Field(default=None, ge=1)
    severity_rule: SeverityRule
    publication_rule: PublicationRule
    fields: list[FieldSpec] = Field(min_length=1)
    description: str | None = None

    # ---- queries

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    @property
    def field_names(self) -> list[str]:
        return [spec.name for spec in self.fields]

    @property
    def is_dishonesty_info(self) -> bool:
        """True when some record of this item can carry a severity (失信信息)."""
        return any(outcome != NO_SEVERITY for outcome in self.possible_outcomes())

    def possible_outcomes(self) -> set[SeverityOutcome]:
        rule = self.severity_rule
        if isinstance(rule, FixedSeverity):
            return {rule.fixed}
        if isinstance(rule, SeverityByField):
            outcomes: set[SeverityOutcome] = set(rule.map.values())
            if rule.default is not None:
                outcomes.add(rule.default)
            return outcomes
        return {NO_SEVERITY}

    def severity_for(self, values: Mapping[str, object]) -> Severity | None:
        """Severity of a record with these field values; None for non-dishonesty information."""
        rule = self.severity_rule
        if isinstance(rule, FixedSeverity):
            return rule.fixed
        if isinstance(rule, SeverityByField):
            value = values.get(rule.by_field)
            outcome = rule.outcome_for(value)
            if outcome is None:
                raise InvalidInput(
                    f"事项 {self.code} 字段 {rule.by_field} 的取值 {value!r} 无法确定严重程度",
                    details={"item": self.code, "field": rule.by_field},
                )
            return None if outcome == NO_SEVERITY else Severity(outcome)
        return None

    def publication_window(self, values: Mapping[str, object]) -> PublicationWindow:
        return self.publication_rule.window_for(self.severity_for(values))

    # ---- rules

    @model_validator(mode="after")
    def _check(self) -> CatalogItem:
        issues: list[_Issue] = []
        self._check_code(issues)
        self._check_fields(issues)
        self._check_severity(issues)
        self._check_publication(issues)
        if self.category in _DOUBLE_PUBLICITY_CATEGORIES and (
            self.collection_deadline_workdays is None
            or self.collection_deadline_workdays > DOUBLE_PUBLICITY_WORKDAYS
        ):
            issues.append(
                (
                    ("collection_deadline_workdays",),
                    f"{self.category.label_zh}信息应在 {DOUBLE_PUBLICITY_WORKDAYS} 个工作日内"
                    "归集公示（双公示）",
                )
            )
        _raise_issues(issues)
        return self

    def _check_code(self, issues: list[_Issue]) -> None:
        prefixes = CODE_PREFIXES[self.category]
        if self.code[:2] not in prefixes:
            issues.append((("code",), f"{self.category.label_zh}类事项的编码应以 {'或'.join(prefixes)} 开头"))
        if len(set(self.subject_types)) != len(self.subject_types):
            issues.append((("subject_types",), "主体类型重复"))

    def _check_fields(self, issues: list[_Issue]) -> None:
        seen: dict[str, int] = {}
        for index, spec in enumerate(self.fields):
            if spec.name in seen:
                issues.append(
                    (("fields", index, "name"), f"字段名 {spec.name} 与第 {seen[spec.name] + 1} 个字段重复")
                )
            else:
                seen[spec.name] = index
        required_core = list(CORE_FIELD_NAMES)
        if self.category in DOCUMENT_CATEGORIES:
            required_core.append("decision_no")
        for name in required_core:
            if name not in seen:
                issues.append((("fields",), f"缺少核心字段 {name}"))
        for name, allowed in _CORE_FIELD_TYPES.items():
            if name not in seen:
                continue
            index = seen[name]
            spec = self.fields[index]
            if spec.type not in allowed:
                names = "、".join(sorted(t.value for t in allowed))
                issues.append((("fields", index, "type"), f"核心字段 {name} 的类型应为 {names}"))
            if name in required_core and not spec.required:
                issues.append(
                    (("fields", index, "required"), f"核心字段 {name} 必须为必填（required: true）")
                )
        subject_id = self.field("subject_id")
        if subject_id is not None:
            has_person = SubjectType.NATURAL_PERSON in self.subject_types
            only_person = set(self.subject_types) == {SubjectType.NATURAL_PERSON}
            if subject_id.type == FieldType.USCC and has_person:
                issues.append(
                    (
                        ("fields", seen["subject_id"], "type"),
                        "事项包含自然人，subject_id 不能只接受统一社会信用代码（应为 ric 或 string）",
                    )
                )
            if subject_id.type == FieldType.RIC and not only_person:
                issues.append(
                    (
                        ("fields", seen["subject_id"], "type"),
                        "事项包含非自然人主体，subject_id 不能只接受公民身份号码（应为 uscc 或 string）",
                    )
                )

    def _check_severity(self, issues: list[_Issue]) -> None:
        rule = self.severity_rule
        if self.category in _NON_DISHONESTY_CATEGORIES and rule != NO_SEVERITY:
            issues.append(
                (("severity_rule",), f"{self.category.label_zh}信息不是失信信息，严重程度规则应为 none")
            )
        if self.category == Category.SERIOUS_DISHONESTY and not (
            isinstance(rule, FixedSeverity) and rule.fixed == Severity.SERIOUS
        ):
            issues.append((("severity_rule",), "严重失信主体名单信息的严重程度应固定为 serious"))
        if self.category == Category.PENALTY and rule == NO_SEVERITY:
            issues.append((("severity_rule",), "行政处罚信息必须规定严重程度"))
        if not isinstance(rule, SeverityByField):
            return
        spec = self.field(rule.by_field)
        if spec is None:
            issues.append((("severity_rule", "by_field"), f"依据字段 {rule.by_field} 不在本事项的字段中"))
            return
        if spec.type != FieldType.ENUM or not spec.enum:
            issues.append((("severity_rule", "by_field"), f"依据字段 {rule.by_field} 必须是枚举类型字段"))
            return
        for key in rule.map:
            if key not in spec.enum:
                issues.append((("severity_rule", "map", key), f"“{key}”不是字段 {rule.by_field} 的可选值"))
        if rule.default is None:
            unmapped = [value for value in spec.enum if value not in rule.map]
            if unmapped:
                issues.append(
                    (
                        ("severity_rule", "map"),
                        f"字段 {rule.by_field} 的可选值 {'、'.join(unmapped)} 未映射严重程度，"
                        "且未给出 default",
                    )
                )
            if not spec.required:
                issues.append(
                    (("severity_rule", "default"), f"依据字段 {rule.by_field} 非必填时必须给出 default")
                )

    def _check_publication(self, issues: list[_Issue]) -> None:
        rule = self.publication_rule
        for attr in ("from_field", "until_field"):
            name = getattr(rule, attr)
            if name is None:
                continue
            spec = self.field(name)
            if spec is None:
                issues.append((("publication_rule", attr), f"字段 {name} 不在本事项的字段中"))
            elif spec.type not in _DATE_TYPES:
                issues.append((("publication_rule", attr), f"字段 {name} 必须是日期类型"))
            elif attr == "from_field" and not spec.required:
                issues.append((("publication_rule", attr), f"公示起算字段 {name} 必须为必填"))
        outcomes = self.possible_outcomes()
        if NO_SEVERITY in outcomes and rule.fixed is None:
            issues.append((("publication_rule", "fixed"), "非失信信息的公示期限须由 fixed 规定"))
        by_severity = rule.by_severity or {}
        if outcomes == {NO_SEVERITY} and by_severity:
            issues.append(
                (("publication_rule", "by_severity"), "本事项不是失信信息，不能按严重程度规定公示期限")
            )
        for severity in Severity:
            if severity not in outcomes or severity in by_severity:
                continue
            if rule.fixed is None:
                issues.append(
                    (("publication_rule", "by_severity"), f"未规定{severity.label_zh}失信信息的公示期限")
                )
            elif not rule.note:
                issues.append(
                    (
                        ("publication_rule", "note"),
                        f"{severity.label_zh}失信信息未按严重程度规定公示期限，"
                        "须在 note 中写明所依据的法律规定",
                    )
                )
        for severity, window in by_severity.items():
            low, high = NATIONAL_WINDOW_BOUNDS[severity]
            path: tuple[str | int, ...] = ("publication_rule", "by_severity", severity.value)
            if window.min_months < low:
                issues.append(
                    ((*path, "min_months"), f"{severity.label_zh}失信信息的最短公示期限不少于 {low} 个月")
                )
            if window.max_months is None or window.max_months > high:
                issues.append(
                    ((*path, "max_months"), f"{severity.label_zh}失信信息的最长公示期限不超过 {high} 个月")
                )
        if self.openness != Openness.PUBLIC:
            windows: list[tuple[tuple[str | int, ...], PublicationWindow]] = []
            if rule.fixed is not None:
                windows.append((("publication_rule", "fixed", "publish"), rule.fixed))
            windows.extend(
                (("publication_rule", "by_severity", s.value, "publish"), w) for s, w in by_severity.items()
            )
            for path, window in windows:
                if window.publish:
                    issues.append(
                        (
                            path,
                            f"开放方式为{self.openness.label_zh}的事项不能向社会公示（publish 应为 false）",
                        )
                    )


class CatalogFile(BaseModel):
    """A whole catalog: metadata and items with unique codes."""

    model_config = _MODEL_CONFIG

    version: _NonEmptyStr
    title: _NonEmptyStr
    issued_by: _NonEmptyStr
    effective_date: date
    description: str | None = None
    items: list[CatalogItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> CatalogFile:
        first: dict[str, int] = {}
        issues: list[_Issue] = []
        for index, item in enumerate(self.items):
            if item.code in first:
                issues.append(
                    (
                        ("items", index, "code"),
                        f"事项编码 {item.code} 重复（第 {first[item.code] + 1} 项与第 {index + 1} 项）",
                    )
                )
            else:
                first[item.code] = index
        _raise_issues(issues)
        return self

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def item(self, code: str) -> CatalogItem:
        for candidate in self.items:
            if candidate.code == code:
                return candidate
        raise NotFound(
            f"目录中没有编码为 {code} 的事项", code="CATALOG_ITEM_NOT_FOUND", details={"item": code}
        )

    def get(self, code: str) -> CatalogItem | None:
        return next((item for item in self.items if item.code == code), None)

    def by_category(self, category: Category) -> list[CatalogItem]:
        return [item for item in self.items if item.category == category]


# --------------------------------------------------------------------------- errors


class CatalogInvalid(InvalidInput):
    """A catalog file that cannot be used. ``details['errors']`` lists item, field and reason."""

    code = "CATALOG_INVALID"
    message = "目录文件校验失败"

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = self.details.get("errors", [])
        return errors


_MAX_ERRORS_IN_MESSAGE: Final = 5


def _describe(entry: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if entry.get("item") is not None:
        parts.append(f"事项 {entry['item']}")
    if entry.get("field"):
        parts.append(f"字段 {entry['field']}")
    where = " ".join(parts)
    return f"{where}：{entry['message']}" if where else str(entry["message"])


def _catalog_invalid(
    errors: list[dict[str, Any]], source: str, prefix: str = "目录文件校验失败"
) -> CatalogInvalid:
    shown = "；".join(_describe(entry) for entry in errors[:_MAX_ERRORS_IN_MESSAGE])
    more = (
        f"；另有 {len(errors) - _MAX_ERRORS_IN_MESSAGE} 处问题"
        if len(errors) > _MAX_ERRORS_IN_MESSAGE
        else ""
    )
    where = "" if source == "<string>" else f"（{source}）"
    return CatalogInvalid(f"{prefix}{where}：{shown}{more}", details={"source": source, "errors": errors})


def _show_input(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _expected(ctx: Mapping[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、").replace(", ", "、")


def _translate(err: ErrorDetails, last: str | int | None) -> str:
    kind = err["type"]
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        return "不认识的字段"
    if kind in ("enum", "literal_error"):
        return f"取值不在允许范围内：{_show_input(value)}（可选：{_expected(ctx)}）"
    if kind == "string_pattern_mismatch":
        if last == "code":
            return f"编码格式不正确：{_show_input(value)}（应为两位大写字母-三位数字，如 CF-001）"
        if last == "name":
            return (
                f"字段名格式不正确：{_show_input(value)}（应为小写英文字母开头的 snake_case，如 decision_no）"
            )
        return f"格式不正确：{_show_input(value)}（应匹配 {ctx.get('pattern')}）"
    if kind in ("too_short", "string_too_short"):
        return "不能为空" if ctx.get("min_length") == 1 else f"长度不能少于 {ctx.get('min_length')}"
    if kind in ("too_long", "string_too_long"):
        return f"长度不能超过 {ctx.get('max_length')}"
    if kind in ("string_type", "string_unicode"):
        return f"应为文本：{_show_input(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"应为整数：{_show_input(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"应为 true 或 false：{_show_input(value)}"
    if kind.startswith("date"):
        return f"应为日期（YYYY-MM-DD）：{_show_input(value)}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return "应为列表"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "应为键值映射"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    if kind in ("severity_rule_invalid", "severity_outcome", "catalog_rule"):
        return err["msg"]
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"校验失败：{err['msg']}"


def _normalise_loc(loc: Iterable[str | int]) -> tuple[list[str | int], bool]:
    """Drop tagged-union tags and the ``[key]`` marker; report whether the error is about a dict key."""
    parts: list[str | int] = []
    about_key = False
    for part in loc:
        if part == "[key]":
            about_key = True
            continue
        if parts and parts[-1] == "severity_rule" and part in _SEVERITY_RULE_TAGS:
            continue
        parts.append(part)
    return parts, about_key


def _element_label(node: Any, index: int) -> str:
    """How a list element is named in an error path: by its ``name`` when it has a unique one
    (``fields[premises]``), else by its index (``fields[6]``)."""
    element = node[index] if isinstance(node, list) and 0 <= index < len(node) else None
    name = element.get("name") if isinstance(element, Mapping) else None
    if isinstance(name, str) and name.strip() and len(name) <= 64:
        same = sum(1 for other in node if isinstance(other, Mapping) and other.get("name") == name)
        if same == 1:
            return name.strip()
    return str(index)


def _field_path(parts: Sequence[str | int], raw: Any = None) -> str:
    """``fields[premises].type`` for ``("fields", 6, "type")``, walking the raw input alongside."""
    path = ""
    node = raw
    for part in parts:
        if isinstance(part, int):
            path += f"[{_element_label(node, part)}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            path += f".{part}" if path else str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return path


def _item_label(raw: Any, index: int) -> str:
    if isinstance(raw, Mapping):
        code = raw.get("code")
        if isinstance(code, str) and code.strip() and len(code.strip()) <= 32:
            return code.strip()
    return f"第{index + 1}项"


def _entry(parts: Sequence[str | int], message: str, raw_items: Sequence[Any] | None) -> dict[str, Any]:
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        index = parts[1]
        raw = raw_items[index] if raw_items is not None and 0 <= index < len(raw_items) else None
        return {"item": _item_label(raw, index), "field": _field_path(parts[2:], raw), "message": message}
    return {"item": None, "field": _field_path(parts), "message": message}


def _errors_from_validation(exc: ValidationError, data: Any) -> list[dict[str, Any]]:
    raw_items: Sequence[Any] | None = None
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        raw_items = data["items"]
    entries: list[dict[str, Any]] = []
    for err in exc.errors(include_url=False):
        parts, about_key = _normalise_loc(err["loc"])
        if err["type"] == "catalog_rule":
            ctx: Mapping[str, Any] = err.get("ctx") or {}
            for sub_path, message in ctx.get("issues", []):
                entries.append(_entry([*parts, *sub_path], str(message), raw_items))
            continue
        message = _translate(err, parts[-1] if parts else None)
        if about_key:
            message = f"键名{message.removeprefix('取值')}"
        entries.append(_entry(parts, message, raw_items))
    return entries


# --------------------------------------------------------------------------- YAML


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    """Mapping constructor that rejects duplicate keys (PyYAML silently keeps the last one)."""
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:
            continue
        if duplicate:
            raise _DuplicateKeyError(problem=f"重复的键：{key}", problem_mark=key_node.start_mark)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    return mapping


def _make_loader() -> type[Any]:
    """A safe loader (libyaml-backed when available) with duplicate-key checks and dates kept as text.

    Dates stay text so that pydantic reports a bad date with its item and field instead of PyYAML
    crashing while constructing it.
    """
    base: type[Any] = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    loader: type[Any] = type("_StrictLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return loader


_StrictLoader: Final = _make_loader()


def _load_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "无法解析"
        entry: dict[str, Any] = {"item": None, "field": "", "message": f"YAML 格式错误：{problem}"}
        if mark is not None:
            entry["line"] = mark.line + 1
            entry["column"] = mark.column + 1
            entry["message"] = f"第 {mark.line + 1} 行第 {mark.column + 1} 列：YAML 格式错误：{problem}"
        raise _catalog_invalid([entry], source, prefix="目录文件不是合法的 YAML") from exc
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        entry = {"item": None, "field": "", "message": f"YAML 格式错误：{exc}"}
        raise _catalog_invalid([entry], source, prefix="目录文件不是合法的 YAML") from exc


# --------------------------------------------------------------------------- public functions


def parse_catalog(text: str, *, source: str = "<string>") -> CatalogFile:
    """Parse and validate catalog YAML; raise :class:`CatalogInvalid` naming item and field on any problem."""
    data = _load_yaml(text, source)
    if not isinstance(data, Mapping):
        entry = {"item": None, "field": "", "message": "目录文件内容应为键值映射（version、title、items 等）"}
        raise _catalog_invalid([entry], source)
    try:
        return CatalogFile.model_validate(data)
    except ValidationError as exc:
        raise _catalog_invalid(_errors_from_validation(exc, data), source) from None


def load_catalog_file(path: str | os.PathLike[str]) -> CatalogFile:
    """Read a catalog YAML file (UTF-8) and validate it."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        entry = {"item": None, "field": "", "message": "目录文件应为 UTF-8 编码"}
        raise _catalog_invalid([entry], str(file), prefix="无法读取目录文件") from exc
    except OSError as exc:
        entry = {"item": None, "field": "", "message": exc.strerror or str(exc)}
        raise _catalog_invalid([entry], str(file), prefix="无法读取目录文件") from exc
    return parse_catalog(text, source=str(file))


def dump_catalog(cat: CatalogFile) -> str:
    """The catalog as YAML (keys in model order, Chinese readable); :func:`parse_catalog` reads it back."""
    data = cat.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


def default_catalog_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "default.yaml"


def load_default_catalog() -> CatalogFile:
    """The catalog shipped with the platform (a fresh object each call: cache it where needed)."""
    return load_catalog_file(default_catalog_path())
