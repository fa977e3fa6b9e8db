"""联合奖惩核查: the request of a single screening and its answer, as stored and as returned."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.models.measures import Decision, Screening
from xinyong.web import Instant

DECISION_ZH: Final[dict[str, str]] = {
    Decision.passed.value: "通过",
    Decision.incentive.value: "激励",
    Decision.warn.value: "提示",
    Decision.restrict.value: "限制",
    Decision.prohibit.value: "禁止",
}


class ScreeningIn(BaseModel):
    """One subject, one scenario, one purpose (查询用途)."""

    model_config = ConfigDict(extra="forbid")

    identifier: str = Field(
        min_length=1,
        max_length=300,
        description="统一社会信用代码、旧工商注册号或组织机构代码、居民身份证号码，或主体名称（精确）",
    )
    scenario: str = Field(min_length=1, max_length=60, description="应用场景：英文值或中文名称，如 政府采购")
    purpose: str | None = Field(default=None, max_length=20, description="查询用途；不填时取场景对应的用途")
    legal_basis: str | None = Field(default=None, max_length=500, description="查询依据；不填时为措施清单")
    case_ref: str | None = Field(default=None, max_length=200, description="办理事项编号，如采购项目编号")


class TriggerEntry(BaseModel):
    """A list entry that triggered (or would have triggered) a measure, with its legal document."""

    id: int
    number: str
    list_kind: str
    scope_code: str
    scope_name: str
    doc_kind: str
    doc_kind_label: str
    doc_no: str
    doc_date: dt.date
    doc_issuer: str
    period_end: dt.date | None


class TriggerRecord(BaseModel):
    """A credit record that triggered (or would have triggered) a measure."""

    id: int
    item_code: str
    item_name: str
    severity: str
    severity_label: str
    decision_no: str | None
    decision_date: dt.date


class MeasureInfo(BaseModel):
    code: str
    name: str
    content: str
    legal_basis: str
    effect: str
    effect_label: str
    nature: str
    nature_label: str
    implementing_department_kinds: list[str]


class AppliedOut(MeasureInfo):
    """A measure that applies, and what triggered it."""

    entries: list[TriggerEntry] = []
    records: list[TriggerRecord] = []
    #: Triggered by a clean record (no adverse record in the incentive's years).
    clean: bool = False


class SuspendedOut(MeasureInfo):
    """A measure that would apply but is suspended: why, and on which entry or record."""

    reason: Literal["objection", "revoked"]
    reason_label: str
    entry: TriggerEntry | None = None
    record: TriggerRecord | None = None


class SubjectBrief(BaseModel):
    id: int
    name: str
    kind: str
    kind_label: str
    #: The USCC of an organisation; never a citizen ID.
    uscc: str | None


class DataVersion(BaseModel):
    catalog: str
    audit_seq: int


class ScreeningResult(BaseModel):
    """The answer as stored (``screenings.result``) and signed."""

    number: str
    at: str
    department: str | None
    subject: SubjectBrief
    scenario: str
    scenario_label: str
    purpose: str
    case_ref: str | None
    decision: str
    decision_label: str
    measures: list[AppliedOut]
    suspended: list[SuspendedOut]
    clean: bool | None
    data_version: DataVersion


class ScreeningOut(ScreeningResult):
    """The answer with the stored check's id and its verification code (验证码)."""

    id: int
    code: str
    username: str


class Verification(BaseModel):
    id: int
    number: str
    code: str
    status: Literal["valid", "altered"]
    valid: bool
    message: str


class ScreeningRow(BaseModel):
    id: int
    number: str
    at: Instant
    username: str
    subject_name: str
    scenario: str
    scenario_label: str
    purpose: str
    decision: str
    decision_label: str


class ScreeningsPage(BaseModel):
    total: int
    items: list[ScreeningRow]


def stored_content(row: Screening) -> dict[str, Any]:
    """What a screening's proof code covers: who checked (account, department), whom, the request, the
    whole answer (its time included) and the data version."""
    return {
        "username": row.username,
        "department_id": row.department_id,
        "subject_id": row.subject_id,
        "request": row.request,
        "result": row.result,
        "data_version": row.data_version,
    }
