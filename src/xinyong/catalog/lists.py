"""The four lists (四张清单, seed 000 §二(二)) in the catalog file: scope lists for the red list (诚信典型范围
清单) and the black list (严重失信行为及主体范围清单), and measure lists for incentives (守信激励政策措施清单)
and punishments (失信惩戒政策措施清单).

They live in the same YAML file as the catalog items (sections ``scopes`` and ``measures``), so one
catalog version fixes what may be collected, who may be listed for what, and which measures exist; the
catalog commands (validate, import, export, the console's versions page) edit all of it.

Scope item (``scopes``)
    ``code`` ``CX-nnn`` (red, 诚信) or ``SX-nnn`` (black, 失信); ``list_kind``; ``name``; ``conduct`` (what
    qualifies); ``legal_basis``; ``initiating_department_kinds`` (who may propose, DEPARTMENT_KINDS);
    ``document_kinds`` (the legal documents a proposal must rest on); ``period_months`` (the listing
    period: black 12–36, the national bounds of 严重 information); ``subject_types``; ``measures`` (the
    measure codes that follow a listing: incentive measures for red, punishments for black);
    ``exit_conditions`` (移出条件 stated in the decision).

Measure (``measures``)
    ``code`` ``JL-nnn`` (激励) or ``CJ-nnn`` (惩戒); ``kind``; ``name``; ``content``; ``legal_basis``;
    ``implementing_department_kinds``; ``subject_types``; ``scenarios`` where it bites; ``nature``
    (administrative / market / industry / social); ``effect`` (punishments: prohibit / restrict / warn;
    incentives: incentive); ``min_severity`` (punishments only: the lowest severity of a record that can
    trigger it; a black-list entry counts as 严重); ``triggers``: ``lists`` (entries of these lists
    trigger it when their scope names it), ``items`` (records of these catalog items with at least
    ``min_severity``), ``clean_years`` (incentives: no adverse record for that many years).
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field, model_validator

from xinyong.catalog.terms import (
    _LABELS_ZH,
    DEPARTMENT_KINDS,
    MODEL_CONFIG,
    Issue,
    NonEmptyStr,
    Severity,
    SubjectType,
    _LabelledEnum,
    raise_issues,
)
from xinyong.models.lists import ListKind, MeasureKind

__all__ = [
    "BLACK_PERIOD_MONTHS",
    "DocumentKind",
    "Effect",
    "ListKind",
    "ListScope",
    "Measure",
    "MeasureKind",
    "MeasureTriggers",
    "Nature",
    "Scenario",
]

#: A black-list entry is 严重 information: listed at least 12 and at most 36 months (《信用修复管理办法》).
BLACK_PERIOD_MONTHS: Final = (12, 36)


class Scenario(_LabelledEnum):
    """Where a check happens (应用场景): the scenario a screening names and a measure bites in."""

    ADMINISTRATIVE_LICENSING = "administrative_licensing"
    GOVERNMENT_PROCUREMENT = "government_procurement"
    TENDERING = "tendering"
    PUBLIC_FUNDS = "public_funds"
    AWARDS = "awards"
    PUBLIC_RESOURCE_TRADING = "public_resource_trading"
    RECRUITMENT = "recruitment"
    MARKET_ACCESS = "market_access"
    FINANCING = "financing"
    BOND_ISSUANCE = "bond_issuance"
    SUPERVISION = "supervision"


class Nature(_LabelledEnum):
    ADMINISTRATIVE = "administrative"
    MARKET = "market"
    INDUSTRY = "industry"
    SOCIAL = "social"


class Effect(_LabelledEnum):
    """What a measure does to the case at hand, weakest first."""

    INCENTIVE = "incentive"
    WARN = "warn"
    RESTRICT = "restrict"
    PROHIBIT = "prohibit"


class DocumentKind(_LabelledEnum):
    """法律文书: what a listing must rest on (seed 004 §三(五)); red lists rest on an honour decision."""

    PENALTY_DECISION = "penalty_decision"
    JUDGMENT = "judgment"
    ARBITRATION_AWARD = "arbitration_award"
    RULING = "ruling"
    ADMINISTRATIVE_DECISION = "administrative_decision"
    HONOUR_DECISION = "honour_decision"


_LABELS_ZH.update(
    {
        Scenario: {
            "administrative_licensing": "行政许可",
            "government_procurement": "政府采购",
            "tendering": "招标投标",
            "public_funds": "财政资金",
            "awards": "评优评先",
            "public_resource_trading": "公共资源交易",
            "recruitment": "人员录用",
            "market_access": "市场准入",
            "financing": "融资信贷",
            "bond_issuance": "债券发行",
            "supervision": "日常监管",
        },
        Nature: {"administrative": "行政性", "market": "市场性", "industry": "行业性", "social": "社会性"},
        Effect: {"incentive": "激励", "warn": "提示", "restrict": "限制", "prohibit": "禁止"},
        DocumentKind: {
            "penalty_decision": "行政处罚决定书",
            "judgment": "司法判决书",
            "arbitration_award": "仲裁裁决书",
            "ruling": "行政裁决书",
            "administrative_decision": "认定决定书",
            "honour_decision": "表彰决定",
        },
    }
)

_SCOPE_PREFIX: Final = {ListKind.red: "CX", ListKind.black: "SX"}
_MEASURE_PREFIX: Final = {MeasureKind.incentive: "JL", MeasureKind.punishment: "CJ"}


def _known_kinds(kinds: list[str], path: str) -> list[Issue]:
    return [
        ((path, i), f"部门类别“{kind}”不在部门类别表中")
        for i, kind in enumerate(kinds)
        if kind not in DEPARTMENT_KINDS
    ]


class ListScope(BaseModel):
    """One item of a scope list: who may be put on the red or black list, for what, on which document."""

    model_config = MODEL_CONFIG

    code: str = Field(pattern=r"^(CX|SX)-[0-9]{3}$")
    list_kind: ListKind
    name: NonEmptyStr
    conduct: NonEmptyStr
    legal_basis: NonEmptyStr
    initiating_department_kinds: list[str] = Field(min_length=1)
    document_kinds: list[DocumentKind] = Field(min_length=1)
    period_months: int = Field(ge=1, le=60)
    subject_types: list[SubjectType] = Field(min_length=1)
    measures: list[str] = Field(min_length=1)
    exit_conditions: NonEmptyStr

    @model_validator(mode="after")
    def _check(self) -> ListScope:
        issues = _known_kinds(self.initiating_department_kinds, "initiating_department_kinds")
        if not self.code.startswith(_SCOPE_PREFIX[self.list_kind]):
            issues.append(
                (("code",), f"{self.list_kind.value} 名单的范围编码须以 {_SCOPE_PREFIX[self.list_kind]} 开头")
            )
        low, high = BLACK_PERIOD_MONTHS
        if self.list_kind is ListKind.black and not low <= self.period_months <= high:
            issues.append((("period_months",), f"严重失信主体名单的列入期限须在 {low} 至 {high} 个月之间"))
        raise_issues(issues)
        return self


class MeasureTriggers(BaseModel):
    """What can trigger a measure: list entries, records of catalog items, a clean record."""

    model_config = MODEL_CONFIG

    lists: list[ListKind] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list)
    clean_years: int | None = Field(default=None, ge=1, le=10)


class Measure(BaseModel):
    """One measure of a measure list: what an implementing department does, where, on what basis."""

    model_config = MODEL_CONFIG

    code: str = Field(pattern=r"^(JL|CJ)-[0-9]{3}$")
    kind: MeasureKind
    name: NonEmptyStr
    content: NonEmptyStr
    legal_basis: NonEmptyStr
    implementing_department_kinds: list[str] = Field(min_length=1)
    subject_types: list[SubjectType] = Field(min_length=1)
    scenarios: list[Scenario] = Field(min_length=1)
    nature: Nature
    effect: Effect
    min_severity: Severity | None = None
    triggers: MeasureTriggers

    @model_validator(mode="after")
    def _check(self) -> Measure:
        issues = _known_kinds(self.implementing_department_kinds, "implementing_department_kinds")
        if not self.code.startswith(_MEASURE_PREFIX[self.kind]):
            issues.append((("code",), f"措施编码须以 {_MEASURE_PREFIX[self.kind]} 开头"))
        if self.kind is MeasureKind.punishment:
            if self.effect is Effect.INCENTIVE:
                issues.append((("effect",), "惩戒措施的效果须为禁止、限制或提示"))
            if self.min_severity is None:
                issues.append((("min_severity",), "惩戒措施须写明可触发的最低严重程度（过惩相当）"))
            if self.triggers.clean_years is not None:
                issues.append((("triggers", "clean_years"), "无不良记录年限只适用于激励措施"))
        else:
            if self.effect is not Effect.INCENTIVE:
                issues.append((("effect",), "激励措施的效果须为激励"))
            if self.min_severity is not None:
                issues.append((("min_severity",), "激励措施不设严重程度"))
        if not (self.triggers.lists or self.triggers.items or self.triggers.clean_years):
            issues.append((("triggers",), "措施须写明触发条件（名单、目录事项或无不良记录年限）"))
        raise_issues(issues)
        return self
