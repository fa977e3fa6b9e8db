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

from collections.abc import Collection, Mapping, Sequence
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
    "list_issues",
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
        issues += _document_issues(self.list_kind, self.document_kinds)
        raise_issues(issues)
        return self


#: The legal documents each list may rest on: a black listing on a decision about the conduct (a penalty,
#: a judgment, an award, a ruling, a listing decision), never on an honour; a red listing on an honour or
#: a listing (evaluation) decision, never on a penalty or a judgment.
DOCUMENTS_ALLOWED: Final[dict[ListKind, frozenset[DocumentKind]]] = {
    ListKind.black: frozenset(DocumentKind) - {DocumentKind.HONOUR_DECISION},
    ListKind.red: frozenset({DocumentKind.HONOUR_DECISION, DocumentKind.ADMINISTRATIVE_DECISION}),
}


def _document_issues(kind: ListKind, documents: Sequence[DocumentKind]) -> list[Issue]:
    allowed = DOCUMENTS_ALLOWED[kind]
    what = (
        "严重失信主体名单不能依据表彰决定列入"
        if kind is ListKind.black
        else "诚信典型名单只能依据表彰决定或认定决定列入"
    )
    return [
        (("document_kinds", i), f"{what}：{doc.label_zh}")
        for i, doc in enumerate(documents)
        if doc not in allowed
    ]


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
        issues += self._proportion_issues()
        raise_issues(issues)
        return self

    def _proportion_issues(self) -> list[Issue]:
        """Which list may trigger it, and how far it may go (过惩相当; market measures are the market's)."""
        issues: list[Issue] = []
        own = _LIST_OF[self.kind]
        for i, kind in enumerate(self.triggers.lists):
            if kind is not own:
                issues.append(
                    (("triggers", "lists", i), f"{_MEASURE_ZH[self.kind]}措施只能由{_LIST_ZH[own]}触发")
                )
        if self.kind is MeasureKind.incentive and self.triggers.items:
            issues.append((("triggers", "items"), "激励措施不能由信用记录触发（记录只触发惩戒措施）"))
        if self.effect is Effect.PROHIBIT and self.min_severity not in (None, Severity.serious):
            issues.append((("min_severity",), "禁止类惩戒措施只能由严重失信信息触发（过惩相当）"))
        if self.effect is Effect.PROHIBIT and self.nature is not Nature.ADMINISTRATIVE:
            issues.append(
                (("effect",), f"{self.nature.label_zh}措施由市场主体、行业组织或社会自主实施，效果不得为禁止")
            )
        return issues


_LIST_OF: Final = {MeasureKind.incentive: ListKind.red, MeasureKind.punishment: ListKind.black}
_LIST_ZH: Final = {ListKind.red: "诚信典型名单（红名单）", ListKind.black: "严重失信主体名单（黑名单）"}
_MEASURE_ZH: Final = {MeasureKind.incentive: "守信激励", MeasureKind.punishment: "失信惩戒"}
_SEVERITY_RANK: Final = {Severity.minor: 1, Severity.general: 2, Severity.serious: 3}


def _duplicate_issues(scopes: Sequence[ListScope], measures: Sequence[Measure]) -> list[Issue]:
    issues: list[Issue] = []
    for section, codes in (("scopes", [s.code for s in scopes]), ("measures", [m.code for m in measures])):
        seen: set[str] = set()
        for index, code in enumerate(codes):
            if code in seen:
                issues.append(((section, index, "code"), f"编码 {code} 重复"))
            seen.add(code)
    return issues


def _scope_measure_issue(scope: ListScope, code: str, measure: Measure | None) -> str | None:
    """Why ``scope`` may not name measure ``code`` (None: it may)."""
    if measure is None:
        return f"措施清单中没有编码为 {code} 的措施"
    wanted = _LIST_OF[measure.kind]
    if wanted is not scope.list_kind:
        own = next(kind for kind, lst in _LIST_OF.items() if lst is scope.list_kind)
        return f"{scope.code} 只能引用{_MEASURE_ZH[own]}措施：{code}"
    if scope.list_kind not in measure.triggers.lists:
        return f"措施 {code} 的触发条件未包含{_LIST_ZH[scope.list_kind]}：列入 {scope.code} 不会触发它"
    if not set(scope.subject_types) & set(measure.subject_types):
        return f"措施 {code} 不适用于 {scope.code} 可列入的任何主体类型"
    return None


def _scope_issues(scopes: Sequence[ListScope], measures: Mapping[str, Measure]) -> list[Issue]:
    issues: list[Issue] = []
    for index, scope in enumerate(scopes):
        for j, code in enumerate(scope.measures):
            problem = _scope_measure_issue(scope, code, measures.get(code))
            if problem is not None:
                issues.append((("scopes", index, "measures", j), problem))
    return issues


def _item_issue(measure: Measure, code: str, outcomes: Collection[str] | None) -> str | None:
    """Why records of item ``code`` may not trigger ``measure`` (None: they may)."""
    if outcomes is None:
        return f"目录中没有编码为 {code} 的事项"
    if measure.min_severity is None:
        return None
    least = _SEVERITY_RANK[measure.min_severity]
    reached = [_SEVERITY_RANK[Severity(o)] for o in outcomes if o in Severity.__members__]
    if not any(rank >= least for rank in reached):
        return f"目录事项 {code} 的记录达不到措施要求的{measure.min_severity.label_zh}程度，不能触发该措施"
    return None


def _measure_issues(
    scopes: Sequence[ListScope], measures: Sequence[Measure], item_outcomes: Mapping[str, Collection[str]]
) -> list[Issue]:
    named = {code for scope in scopes for code in scope.measures}
    issues: list[Issue] = []
    for index, measure in enumerate(measures):
        for j, code in enumerate(measure.triggers.items):
            problem = _item_issue(measure, code, item_outcomes.get(code))
            if problem is not None:
                issues.append((("measures", index, "triggers", "items", j), problem))
        if measure.code not in named and not (measure.triggers.items or measure.triggers.clean_years):
            issues.append(
                (
                    ("measures", index, "triggers"),
                    f"措施 {measure.code} 没有任何范围事项引用，也没有目录事项或无不良记录年限触发条件："
                    "它永远不会适用，清单中不应列出",
                )
            )
    return issues


def list_issues(
    scopes: Sequence[ListScope], measures: Sequence[Measure], item_outcomes: Mapping[str, Collection[str]]
) -> list[Issue]:
    """The rules that join the four lists and the catalog's items (``item_outcomes``: each item's code and
    the severities its records can have, ``none`` for none): codes unique; a scope names only existing
    measures of its own list's kind, which its listing triggers and which apply to its subjects; a
    measure names only items of this catalog whose records can reach its severity; a measure nothing can
    trigger is refused."""
    by_code = {m.code: m for m in measures}
    return [
        *_duplicate_issues(scopes, measures),
        *_scope_issues(scopes, by_code),
        *_measure_issues(scopes, measures, item_outcomes),
    ]
