"""The vocabulary of the catalog: its enumerations with Chinese labels, the national constants, and
the pieces every catalog model shares (model configuration, how a rule violation is raised).

Severity is not defined here: the catalog uses :class:`xinyong.models.records.Severity`, the same
class the record column stores, re-exported under this module's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, Self

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from xinyong.models.records import Severity

__all__ = [
    "ANY_ADMINISTRATIVE",
    "CODE_PREFIXES",
    "CORE_FIELD_NAMES",
    "CORE_FIELD_TYPES",
    "DATE_TYPES",
    "DEPARTMENT_KINDS",
    "DOCUMENT_CATEGORIES",
    "DOUBLE_PUBLICITY_CATEGORIES",
    "DOUBLE_PUBLICITY_WORKDAYS",
    "LENGTH_TYPES",
    "MINOR_EXCEPTION_MAX_MONTHS",
    "MODEL_CONFIG",
    "NATIONAL_WINDOW_BOUNDS",
    "NON_ADMINISTRATIVE_KINDS",
    "NON_DISHONESTY_CATEGORIES",
    "NO_SEVERITY",
    "NO_SEVERITY_LABEL_ZH",
    "Category",
    "FieldType",
    "Issue",
    "NonEmptyStr",
    "Openness",
    "Outcome",
    "Severity",
    "SeverityOutcome",
    "SubjectType",
    "UntilKind",
    "outcome_label_zh",
    "raise_issues",
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


class UntilKind(_LabelledEnum):
    """What the date in a publication rule's ``until_field`` means."""

    VALIDITY = "validity"  # 有效期至: the record is current through that day inclusive
    REMOVAL = "removal"  # 移出/删除/解除/付清日期: the record is no longer current from that day


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
    UntilKind: {
        "validity": "有效期截止日（当日仍有效）",
        "removal": "移出（终止）日期（当日起不再公示）",
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


# --------------------------------------------------------------------------- severity outcomes

NO_SEVERITY: Final = "none"
"""The severity-rule / map value for information that is not dishonesty information."""

NO_SEVERITY_LABEL_ZH: Final = "非失信信息"

SeverityOutcome = Severity | Literal["none"]
"""What a severity mapping yields: a severity, or ``"none"`` for non-dishonesty information."""


def outcome_label_zh(outcome: SeverityOutcome) -> str:
    """Chinese label of a severity outcome: 轻微 / 一般 / 严重 / 非失信信息."""
    return NO_SEVERITY_LABEL_ZH if outcome == NO_SEVERITY else Severity(outcome).label_zh


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


Outcome = Annotated[SeverityOutcome, BeforeValidator(_outcome_before)]
"""A severity outcome as a model field: a severity value or ``none``."""


# --------------------------------------------------------------------------- national constants

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

NON_DISHONESTY_CATEGORIES: Final[frozenset[Category]] = frozenset(
    {Category.REGISTRATION, Category.LICENCE, Category.HONOUR}
)
"""Categories that are never dishonesty information: their severity rule must be ``none``."""

DOUBLE_PUBLICITY_CATEGORIES: Final[frozenset[Category]] = frozenset({Category.LICENCE, Category.PENALTY})
DOUBLE_PUBLICITY_WORKDAYS: Final = 7
"""双公示: licences and penalties are collected and published within 7 working days."""

CORE_FIELD_NAMES: Final[tuple[str, ...]] = ("subject_name", "subject_id", "source_record_id", "decision_date")
"""Fields every item declares, all required (``decision_no`` is added for :data:`DOCUMENT_CATEGORIES`)."""

CORE_FIELD_TYPES: Final[Mapping[str, frozenset[FieldType]]] = {
    "subject_name": frozenset({FieldType.STRING}),
    "subject_id": frozenset({FieldType.USCC, FieldType.RIC, FieldType.STRING}),
    "source_record_id": frozenset({FieldType.STRING}),
    "decision_date": frozenset({FieldType.DATE}),
    "decision_no": frozenset({FieldType.STRING}),
}
"""The types a core field may have."""

DEPARTMENT_KINDS: Final[tuple[str, ...]] = (
    "信用办",
    "发展改革",
    "市场监管",
    "税务",
    "法院",
    "检察院",
    "公安",
    "民政",
    "司法行政",
    "财政",
    "人力资源社会保障",
    "自然资源",
    "生态环境",
    "住房城乡建设",
    "交通运输",
    "水利",
    "农业农村",
    "商务",
    "文化旅游",
    "卫生健康",
    "应急管理",
    "教育",
    "药品监管",
    "知识产权",
    "机构编制",
    "工业和信息化",
    "城市管理",
    "公共资源交易",
    "海关",
    "金融监管",
)
"""Department kinds (部门类别, ``Department.kind``): the lines a catalog item names as its sources."""

ANY_ADMINISTRATIVE: Final = "行政机关"
"""In an item's ``source_department_kinds``: every administrative department (各行政机关), i.e. every
kind but the judicial bodies and the credit office, which decide no licence or penalty."""

NON_ADMINISTRATIVE_KINDS: Final = frozenset({"法院", "检察院", "信用办"})

MINOR_EXCEPTION_MAX_MONTHS: Final = 3
"""轻微 information is not published in principle; where a law makes an exception, for at most 3 months."""

NATIONAL_WINDOW_BOUNDS: Final[Mapping[Severity, tuple[int, int]]] = {
    Severity.minor: (0, 3),
    Severity.general: (3, 12),
    Severity.serious: (12, 36),
}
"""(lowest ``min_months``, highest ``max_months``) per severity, from 《信用修复管理办法》 (2026)."""

DATE_TYPES: Final[frozenset[FieldType]] = frozenset({FieldType.DATE, FieldType.DATETIME})
LENGTH_TYPES: Final[frozenset[FieldType]] = frozenset({FieldType.STRING, FieldType.TEXT})


# --------------------------------------------------------------------------- shared by the models

Issue = tuple[tuple[str | int, ...], str]
"""A rule violation: the path below the model being checked, and the Chinese message."""


def raise_issues(issues: Sequence[Issue]) -> None:
    """Raise the collected rule violations of one model as one pydantic error (expanded later)."""
    if issues:
        summary = "；".join(message for _, message in issues)
        raise PydanticCustomError("catalog_rule", "{summary}", {"summary": summary, "issues": list(issues)})


NonEmptyStr = Annotated[str, Field(min_length=1)]

MODEL_CONFIG: Final = ConfigDict(
    extra="forbid",
    frozen=True,
    str_strip_whitespace=True,
    coerce_numbers_to_str=True,
)
"""Every catalog model: unknown keys refused, immutable, text stripped."""
