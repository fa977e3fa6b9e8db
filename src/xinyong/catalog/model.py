"""The models of a catalog file: :class:`CatalogItem` and :class:`CatalogFile` (the format itself is
described in :mod:`xinyong.catalog.schema`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, Field, model_validator

from xinyong.catalog.fields import FieldSpec, field_issues
from xinyong.catalog.lists import ListKind, ListScope, Measure, MeasureKind
from xinyong.catalog.rules import (
    FixedSeverity,
    PublicationRule,
    PublicationWindow,
    SeverityByField,
    SeverityRule,
    possible_outcomes,
    publication_rule_issues,
    severity_rule_issues,
)
from xinyong.catalog.terms import (
    ANY_ADMINISTRATIVE,
    CODE_PREFIXES,
    DEPARTMENT_KINDS,
    DOUBLE_PUBLICITY_CATEGORIES,
    DOUBLE_PUBLICITY_WORKDAYS,
    MODEL_CONFIG,
    NO_SEVERITY,
    NON_ADMINISTRATIVE_KINDS,
    Category,
    Issue,
    NonEmptyStr,
    Openness,
    Severity,
    SeverityOutcome,
    SubjectType,
    raise_issues,
)
from xinyong.kit.errors import InvalidInput, NotFound

__all__ = ["CatalogFile", "CatalogItem"]


class CatalogItem(BaseModel):
    """One item of the catalog: what may be collected, from whom, how it is shown and for how long."""

    model_config = MODEL_CONFIG

    code: str = Field(pattern=r"^[A-Z]{2}-[0-9]{3}$")
    name: NonEmptyStr
    category: Category
    subject_types: list[SubjectType] = Field(min_length=1)
    source_department_kind: NonEmptyStr
    #: The department kinds that produce this information and alone may submit it (谁产生、谁提供):
    #: values of DEPARTMENT_KINDS, or ANY_ADMINISTRATIVE for every administrative department.
    source_department_kinds: list[str] = Field(min_length=1)
    legal_basis: NonEmptyStr
    openness: Openness
    collection_deadline_workdays: int | None = Field(default=None, ge=1)
    severity_rule: SeverityRule
    publication_rule: PublicationRule
    fields: list[FieldSpec] = Field(min_length=1)
    description: str | None = None
    #: 未成年人不纳入失信名单 (seed 004 §三(一)): a record naming a person under 18 on the decision date
    #: is refused. Required of every item that puts natural persons on a list of serious dishonesty.
    minors_excluded: bool = False

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

    def provided_by(self, department_kind: str) -> bool:
        """Whether a department of this kind is a source of the item and may submit its records."""
        if department_kind in self.source_department_kinds:
            return True
        return (
            ANY_ADMINISTRATIVE in self.source_department_kinds
            and department_kind in DEPARTMENT_KINDS
            and department_kind not in NON_ADMINISTRATIVE_KINDS
        )

    def possible_outcomes(self) -> set[SeverityOutcome]:
        return possible_outcomes(self.severity_rule)

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
        issues: list[Issue] = [
            *self._code_issues(),
            *field_issues(self.fields, self.category, self.subject_types),
            *severity_rule_issues(self.category, self.severity_rule, self.field),
            *publication_rule_issues(
                self.publication_rule, self.possible_outcomes(), self.openness, self.field
            ),
            *self._deadline_issues(),
            *self._minor_issues(),
            *self._source_issues(),
        ]
        raise_issues(issues)
        return self

    def _code_issues(self) -> list[Issue]:
        issues: list[Issue] = []
        prefixes = CODE_PREFIXES[self.category]
        if self.code[:2] not in prefixes:
            issues.append((("code",), f"{self.category.label_zh}类事项的编码应以 {'或'.join(prefixes)} 开头"))
        if len(set(self.subject_types)) != len(self.subject_types):
            issues.append((("subject_types",), "主体类型重复"))
        return issues

    def _source_issues(self) -> list[Issue]:
        """Source kinds must be known department kinds (or ANY_ADMINISTRATIVE), each named once."""
        known = {*DEPARTMENT_KINDS, ANY_ADMINISTRATIVE}
        issues: list[Issue] = [
            (("source_department_kinds", i), f"“{kind}”不是部门类别，可选：{'、'.join(sorted(known))}")
            for i, kind in enumerate(self.source_department_kinds)
            if kind not in known
        ]
        if len(set(self.source_department_kinds)) != len(self.source_department_kinds):
            issues.append((("source_department_kinds",), "部门类别重复"))
        return issues

    def _minor_issues(self) -> list[Issue]:
        """An item that lists natural persons as seriously dishonest must exclude minors."""
        lists_persons = (
            SubjectType.NATURAL_PERSON in self.subject_types
            and self.severity_rule == FixedSeverity(fixed=Severity.serious)
        )
        if lists_persons and not self.minors_excluded:
            return [
                (
                    ("minors_excluded",),
                    "将自然人列为严重失信的事项须规定 minors_excluded: true（未成年人不纳入失信名单）",
                )
            ]
        return []

    def _deadline_issues(self) -> list[Issue]:
        """双公示: licence and penalty information is collected within 7 working days."""
        deadline = self.collection_deadline_workdays
        if self.category in DOUBLE_PUBLICITY_CATEGORIES and (
            deadline is None or deadline > DOUBLE_PUBLICITY_WORKDAYS
        ):
            message = (
                f"{self.category.label_zh}信息应在 {DOUBLE_PUBLICITY_WORKDAYS} 个工作日内归集公示（双公示）"
            )
            return [(("collection_deadline_workdays",), message)]
        return []


_KIND_ZH = {MeasureKind.incentive: "守信激励", MeasureKind.punishment: "失信惩戒"}


class CatalogFile(BaseModel):
    """A whole catalog: metadata and items with unique codes."""

    model_config = MODEL_CONFIG

    version: NonEmptyStr
    title: NonEmptyStr
    issued_by: NonEmptyStr
    effective_date: date
    description: str | None = None
    items: list[CatalogItem] = Field(min_length=1)
    #: The four lists (catalog.lists): scope items of the red and black lists, and the measure lists.
    scopes: list[ListScope] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> CatalogFile:
        first: dict[str, int] = {}
        issues: list[Issue] = self._list_issues()
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
        raise_issues(issues)
        return self

    def _list_issues(self) -> list[Issue]:
        """Codes unique; a scope names only measures of its own list's kind; a measure names only items
        of this catalog."""
        issues: list[Issue] = []
        for section, codes in (
            ("scopes", [s.code for s in self.scopes]),
            ("measures", [m.code for m in self.measures]),
        ):
            seen: set[str] = set()
            for index, code in enumerate(codes):
                if code in seen:
                    issues.append(((section, index, "code"), f"编码 {code} 重复"))
                seen.add(code)
        measures = {m.code: m for m in self.measures}
        items = {item.code for item in self.items}
        wanted = {ListKind.red: MeasureKind.incentive, ListKind.black: MeasureKind.punishment}
        for index, scope in enumerate(self.scopes):
            for j, code in enumerate(scope.measures):
                measure = measures.get(code)
                if measure is None:
                    issues.append((("scopes", index, "measures", j), f"措施清单中没有编码为 {code} 的措施"))
                elif measure.kind is not wanted[scope.list_kind]:
                    issues.append(
                        (
                            ("scopes", index, "measures", j),
                            f"{scope.code} 只能引用{_KIND_ZH[wanted[scope.list_kind]]}措施：{code}",
                        )
                    )
        for index, measure in enumerate(self.measures):
            for j, code in enumerate(measure.triggers.items):
                if code not in items:
                    issues.append(
                        (("measures", index, "triggers", "items", j), f"目录中没有编码为 {code} 的事项")
                    )
        return issues

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
