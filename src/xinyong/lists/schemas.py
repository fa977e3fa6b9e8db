"""What the red and black list routes and pages take and give. Built by ``lists.service``; no route or
template sees an ORM row."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.models.lists import ExitCause, ObjectionTarget
from xinyong.web import Instant

Leniency = Literal["minor", "force_majeure", "minor_unintentional"]


class ProposeIn(BaseModel):
    """A proposal: the scope item, the subject, the legal document (all four parts required: refused
    with ``LIST_DOCUMENT_REQUIRED`` otherwise), the reason and any leniency facts."""

    scope: str = Field(max_length=40, description="名单范围清单事项编码，如 SX-001")
    subject: str | None = Field(
        None, max_length=300, description="主体的代码（统一社会信用代码、旧代码、身份证号）或名称"
    )
    subject_id: int | None = Field(None, ge=1, le=2**62, description="或：主体编号")
    doc_kind: str | None = Field(None, max_length=40, description="法律文书种类（范围清单事项允许的种类）")
    doc_no: str | None = Field(None, max_length=200, description="法律文书文号")
    doc_date: dt.date | None = Field(None, description="法律文书日期")
    doc_issuer: str | None = Field(None, max_length=200, description="作出法律文书的机关")
    reason: str = Field(min_length=1, max_length=4000, description="实施事由")
    leniency: list[Leniency] = Field(default_factory=list, max_length=3, description="从轻情形")
    review_note: str | None = Field(
        None, max_length=4000, description="审查意见（有从轻情形的列入黑名单时必填）"
    )


class DecideIn(BaseModel):
    review_note: str | None = Field(None, max_length=4000, description="审查意见")


class ExitIn(BaseModel):
    cause: ExitCause = Field(description="移出事由")
    note: str = Field(min_length=1, max_length=4000, description="移出理由")


class DocumentOut(BaseModel):
    kind: str
    kind_zh: str
    number: str
    date: dt.date
    issuer: str


class EntryOut(BaseModel):
    """An entry as the departments see it (initiating department, credit office)."""

    id: int
    number: str
    list_kind: str
    list_zh: str
    scope_code: str
    scope_name: str
    subject_id: int
    subject_name: str
    subject_code: str | None
    dept_id: int
    dept_name: str
    state: str
    state_zh: str
    document: DocumentOut
    reason: str
    leniency: list[str]
    leniency_zh: list[str]
    review_note: str | None
    notice: dict[str, Any] | None
    objection_due: dt.date | None
    #: When the subject waived its representations and objection in writing (放弃陈述、申辩和异议).
    objection_waived_at: Instant | None = None
    decision: dict[str, Any] | None
    period_start: dt.date | None
    period_end: dt.date | None
    exit_cause: str | None
    exit_cause_zh: str | None
    exit_note: str | None
    proposed_at: Instant
    notified_at: Instant | None
    decided_at: Instant | None
    published_at: Instant | None
    exited_at: Instant | None
    #: The states it may move to next, and the exit causes its state admits.
    next_states: list[str]
    exit_causes: list[str]


class EntryPage(BaseModel):
    total: int
    items: list[EntryOut]


class EventOut(BaseModel):
    id: int
    from_state: str | None
    to_state: str
    to_state_zh: str
    at: Instant
    actor: str
    note: str | None
    data: dict[str, Any]


class MeasureOut(BaseModel):
    code: str
    name: str
    content: str
    legal_basis: str


class PublicEntryOut(BaseModel):
    """A published entry in its period, as anyone may see it (organisations only)."""

    number: str
    list_kind: str
    list_zh: str
    subject_id: int
    subject_name: str
    uscc: str | None
    scope_code: str
    scope_name: str
    reason: str
    legal_basis: str
    document: DocumentOut
    department: str
    #: An objection on the entry is being handled: the measures based on it are suspended meanwhile.
    under_objection: bool = False
    decided_on: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    measures: list[MeasureOut]


class PublicPage(BaseModel):
    total: int
    items: list[PublicEntryOut]


class ObjectionIn(BaseModel):
    target_kind: ObjectionTarget = Field(description="异议对象：entry（名单认定）或 record（信用记录）")
    target_id: int = Field(ge=1, le=2**62, description="名单或信用记录的编号")
    reason: str = Field(min_length=1, max_length=4000, description="异议理由")


class ObjectionDecisionIn(BaseModel):
    outcome: Literal["upheld", "rejected"] = Field(description="upheld 异议成立 / rejected 异议不成立")
    answer: str = Field(min_length=1, max_length=4000, description="书面答复")


class ObjectionOut(BaseModel):
    id: int
    target_kind: str
    target_id: int
    target_label: str
    subject_id: int
    subject_name: str
    dept_id: int
    status: str
    status_zh: str
    reason: str
    filed_at: Instant
    filed_by: str
    answer: str | None
    decided_at: Instant | None
    decided_by: str | None


class ObjectionPage(BaseModel):
    total: int
    items: list[ObjectionOut]


class OwnEntryOut(BaseModel):
    """One of the subject's own entries (from the notice on), with the objections it filed."""

    entry: EntryOut
    objections: list[ObjectionOut]
    can_object: bool
    #: Whether the subject may still waive its representations and objection (notified, in time).
    can_waive: bool = False


class WaiverIn(BaseModel):
    """The subject's written statement that it will not make representations or object."""

    model_config = ConfigDict(extra="forbid")

    statement: str = Field(min_length=1, max_length=2000, description="书面声明（放弃陈述、申辩和异议）")
