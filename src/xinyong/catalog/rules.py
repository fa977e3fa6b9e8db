"""An item's severity rule (严重程度) and publication rule (公示期限), and the checks on them.

The checks take the item's parts rather than the item, so that :mod:`xinyong.catalog.model` can run
them while validating a :class:`~xinyong.catalog.model.CatalogItem`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Annotated, Any, Final, Literal, Union

from pydantic import BaseModel, Discriminator, Field, Tag, model_validator

from xinyong.catalog.fields import FieldSpec
from xinyong.catalog.terms import (
    DATE_TYPES,
    MINOR_EXCEPTION_MAX_MONTHS,
    MODEL_CONFIG,
    NATIONAL_WINDOW_BOUNDS,
    NO_SEVERITY,
    NO_SEVERITY_LABEL_ZH,
    NON_DISHONESTY_CATEGORIES,
    Category,
    FieldType,
    Issue,
    Openness,
    Outcome,
    Severity,
    SeverityOutcome,
    UntilKind,
    raise_issues,
)
from xinyong.kit.errors import InvalidInput

__all__ = [
    "MINOR_WINDOW",
    "SEVERITY_RULE_TAGS",
    "FieldLookup",
    "FixedSeverity",
    "PublicationRule",
    "PublicationWindow",
    "SeverityByField",
    "SeverityRule",
    "possible_outcomes",
    "publication_rule_issues",
    "severity_rule_issues",
]

FieldLookup = Callable[[str], FieldSpec | None]
"""An item's field by name (None when the item has no such field)."""


# --------------------------------------------------------------------------- severity rules


class FixedSeverity(BaseModel):
    """Every record of the item has the same severity."""

    model_config = MODEL_CONFIG

    fixed: Severity


class SeverityByField(BaseModel):
    """The severity follows the value of an enum field (e.g. ``penalty_kind``)."""

    model_config = MODEL_CONFIG

    by_field: str
    map: dict[str, Outcome] = Field(min_length=1)
    default: Outcome | None = None

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


SEVERITY_RULE_TAGS: Final = frozenset({"fixed", "by_field", "none"})
"""The tags of the :data:`SeverityRule` union (they appear in pydantic error locations)."""

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
"""``none``, ``{fixed: serious}`` or ``{by_field: …, map: {…}, default: …}``."""


def possible_outcomes(rule: SeverityRule) -> set[SeverityOutcome]:
    """Every outcome a record under this rule can have."""
    if isinstance(rule, FixedSeverity):
        return {rule.fixed}
    if isinstance(rule, SeverityByField):
        outcomes: set[SeverityOutcome] = set(rule.map.values())
        if rule.default is not None:
            outcomes.add(rule.default)
        return outcomes
    return {NO_SEVERITY}


def severity_rule_issues(category: Category, rule: SeverityRule, field: FieldLookup) -> list[Issue]:
    """What is wrong with an item's severity rule, given its category and fields."""
    issues: list[Issue] = []
    if category in NON_DISHONESTY_CATEGORIES and rule != NO_SEVERITY:
        issues.append((("severity_rule",), f"{category.label_zh}信息不是失信信息，严重程度规则应为 none"))
    if category == Category.SERIOUS_DISHONESTY and not (
        isinstance(rule, FixedSeverity) and rule.fixed == Severity.serious
    ):
        issues.append((("severity_rule",), "严重失信主体名单信息的严重程度应固定为 serious"))
    if category == Category.PENALTY and rule == NO_SEVERITY:
        issues.append((("severity_rule",), "行政处罚信息必须规定严重程度"))
    if isinstance(rule, SeverityByField):
        issues.extend(_by_field_issues(rule, field(rule.by_field)))
    return issues


def _by_field_issues(rule: SeverityByField, spec: FieldSpec | None) -> list[Issue]:
    """A ``by_field`` rule must name an enum field of the item and map its values."""
    if spec is None:
        return [(("severity_rule", "by_field"), f"依据字段 {rule.by_field} 不在本事项的字段中")]
    if spec.type != FieldType.ENUM or not spec.enum:
        return [(("severity_rule", "by_field"), f"依据字段 {rule.by_field} 必须是枚举类型字段")]
    allowed = spec.enum
    issues: list[Issue] = [
        (("severity_rule", "map", key), f"“{key}”不是字段 {rule.by_field} 的可选值")
        for key in rule.map
        if key not in allowed
    ]
    if rule.default is None:
        unmapped = [value for value in allowed if value not in rule.map]
        if unmapped:
            issues.append(
                (
                    ("severity_rule", "map"),
                    f"字段 {rule.by_field} 的可选值 {'、'.join(unmapped)} 未映射严重程度，且未给出 default",
                )
            )
        if not spec.required:
            issues.append(
                (("severity_rule", "default"), f"依据字段 {rule.by_field} 非必填时必须给出 default")
            )
    return issues


# --------------------------------------------------------------------------- publication rules


class PublicationWindow(BaseModel):
    """How long records are published (and shared) after ``from_field``.

    ``publish`` — shown on the public portal at all; ``min_months`` — earliest point at which a repair
    (信用修复) may end publication; ``max_months`` — publication stops by itself (None: no automatic end);
    ``legal_exception`` — for 轻微 only: the law under which such information is nevertheless published
    (轻微 is not published in principle, and with an exception for at most 3 months).
    """

    model_config = MODEL_CONFIG

    publish: bool
    min_months: int = Field(default=0, ge=0)
    max_months: int | None = Field(default=None, ge=1)
    legal_exception: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PublicationWindow:
        if self.max_months is not None and self.min_months > self.max_months:
            raise_issues([(("min_months",), "公示期限下限不能大于上限（max_months）")])
        return self


MINOR_WINDOW: Final = PublicationWindow(publish=False, min_months=0, max_months=MINOR_EXCEPTION_MAX_MONTHS)
"""The platform's rule for 轻微 information (《信用修复管理办法》): not published, used for at most 3 months.
It applies to every 轻微 record whose item does not state a window of its own for 轻微 (with the legal
exception that allows publishing), whatever the item's general window says."""


class PublicationRule(BaseModel):
    """Publication windows: one ``fixed`` window, per-severity windows, or both (see the schema doc)."""

    model_config = MODEL_CONFIG

    from_field: str = "decision_date"
    until_field: str | None = None
    until_kind: UntilKind | None = None
    fixed: PublicationWindow | None = None
    by_severity: dict[Severity, PublicationWindow] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PublicationRule:
        if self.fixed is None and not self.by_severity:
            raise_issues([((), "公示规则至少要给出 fixed 或 by_severity 之一")])
        return self

    def window_for(self, severity: Severity | None) -> PublicationWindow:
        """The window for a record of this severity (None = non-dishonesty information).

        轻微 takes the item's own 轻微 window or else :data:`MINOR_WINDOW`, never the general ``fixed``
        window: a record lowered to 轻微 stops being published."""
        if severity is not None and self.by_severity and severity in self.by_severity:
            return self.by_severity[severity]
        if severity is Severity.minor:
            return MINOR_WINDOW
        if self.fixed is not None:
            return self.fixed
        label = severity.label_zh if severity is not None else NO_SEVERITY_LABEL_ZH
        raise InvalidInput(f"公示规则未规定{label}信息的公示期限", code="CATALOG_RULE_MISSING")


def publication_rule_issues(
    rule: PublicationRule, outcomes: Collection[SeverityOutcome], openness: Openness, field: FieldLookup
) -> list[Issue]:
    """What is wrong with an item's publication rule, given its possible outcomes, openness and fields."""
    return [
        *_date_field_issues(rule, field),
        *_coverage_issues(rule, outcomes),
        *_national_bound_issues(rule),
        *_minor_issues(rule),
        *_openness_issues(rule, openness),
    ]


def _date_field_issues(rule: PublicationRule, field: FieldLookup) -> list[Issue]:
    """``from_field`` and ``until_field`` must be date fields of the item, ``from_field`` required."""
    issues: list[Issue] = []
    for attr, name in (("from_field", rule.from_field), ("until_field", rule.until_field)):
        if name is None:
            continue
        spec = field(name)
        if spec is None:
            issues.append((("publication_rule", attr), f"字段 {name} 不在本事项的字段中"))
        elif spec.type not in DATE_TYPES:
            issues.append((("publication_rule", attr), f"字段 {name} 必须是日期类型"))
        elif attr == "from_field" and not spec.required:
            issues.append((("publication_rule", attr), f"公示起算字段 {name} 必须为必填"))
    if rule.until_field is not None and rule.until_kind is None:
        issues.append(
            (
                ("publication_rule", "until_kind"),
                f"须用 until_kind 说明字段 {rule.until_field} 是有效期截止日（validity：当日仍有效）"
                "还是移出日期（removal：当日起不再公示）",
            )
        )
    if rule.until_field is None and rule.until_kind is not None:
        issues.append((("publication_rule", "until_kind"), "未规定 until_field 时不能规定 until_kind"))
    return issues


def _coverage_issues(rule: PublicationRule, outcomes: Collection[SeverityOutcome]) -> list[Issue]:
    """Every possible outcome needs a window: ``fixed`` for non-dishonesty, ``by_severity`` (or a
    ``fixed`` window with a ``note`` naming the law) for each severity."""
    issues: list[Issue] = []
    if NO_SEVERITY in outcomes and rule.fixed is None:
        issues.append((("publication_rule", "fixed"), "非失信信息的公示期限须由 fixed 规定"))
    by_severity = rule.by_severity or {}
    if set(outcomes) == {NO_SEVERITY} and by_severity:
        issues.append((("publication_rule", "by_severity"), "本事项不是失信信息，不能按严重程度规定公示期限"))
    for severity in Severity:
        if severity not in outcomes or severity in by_severity or severity is Severity.minor:
            continue  # 轻微 without a window of its own takes MINOR_WINDOW
        if rule.fixed is None:
            issues.append(
                (("publication_rule", "by_severity"), f"未规定{severity.label_zh}失信信息的公示期限")
            )
        elif not rule.note:
            issues.append(
                (
                    ("publication_rule", "note"),
                    f"{severity.label_zh}失信信息未按严重程度规定公示期限，须在 note 中写明所依据的法律规定",
                )
            )
    return issues


def _national_bound_issues(rule: PublicationRule) -> list[Issue]:
    """Per-severity windows must lie within :data:`NATIONAL_WINDOW_BOUNDS`."""
    issues: list[Issue] = []
    for severity, window in (rule.by_severity or {}).items():
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
    return issues


def _minor_issues(rule: PublicationRule) -> list[Issue]:
    """轻微 is not published in principle: a 轻微 window that publishes must state the legal exception
    (and the national bound keeps it within 3 months); only a 轻微 window may state one."""
    issues: list[Issue] = []
    for severity, window in (rule.by_severity or {}).items():
        path: tuple[str | int, ...] = ("publication_rule", "by_severity", severity.value)
        if severity is Severity.minor and window.publish and not (window.legal_exception or "").strip():
            issues.append(
                (
                    (*path, "legal_exception"),
                    "轻微失信信息原则上不公示：确需公示的，须在 legal_exception 中写明"
                    f"作出例外规定的法律、法规，且公示期限不超过 {MINOR_EXCEPTION_MAX_MONTHS} 个月",
                )
            )
        if severity is not Severity.minor and window.legal_exception is not None:
            issues.append(((*path, "legal_exception"), "legal_exception 只适用于轻微失信信息"))
    if rule.fixed is not None and rule.fixed.legal_exception is not None:
        issues.append(
            (("publication_rule", "fixed", "legal_exception"), "legal_exception 只适用于轻微失信信息")
        )
    return issues


def _openness_issues(rule: PublicationRule, openness: Openness) -> list[Issue]:
    """Only items open to the public (公开) may publish."""
    if openness == Openness.PUBLIC:
        return []
    windows: list[tuple[tuple[str | int, ...], PublicationWindow]] = []
    if rule.fixed is not None:
        windows.append((("publication_rule", "fixed", "publish"), rule.fixed))
    windows.extend(
        (("publication_rule", "by_severity", s.value, "publish"), w)
        for s, w in (rule.by_severity or {}).items()
    )
    message = f"开放方式为{openness.label_zh}的事项不能向社会公示（publish 应为 false）"
    return [(path, message) for path, window in windows if window.publish]
