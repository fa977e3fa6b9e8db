"""Feedback tasks (触发—响应—反馈) in and out of the API: what an implementing department sees of a task
(the published entry, the measure it must apply with its legal basis) and what it reports back."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from xinyong.models.measures import TaskStatus
from xinyong.web import Instant

STATUS_ZH: dict[TaskStatus, str] = {
    TaskStatus.open: "待反馈",
    TaskStatus.applied: "已实施",
    TaskStatus.not_applicable: "不适用",
    TaskStatus.objection: "提出异议",
    TaskStatus.closed: "已关闭",
}

LIST_ZH: dict[str, str] = {"black": "严重失信主体名单（黑名单）", "red": "诚信典型名单（红名单）"}

#: Longest note and case reference a report may carry.
NOTE_MAX = 2000
CASE_REF_MAX = 200


class Outcome(StrEnum):
    """What an implementing department reports back."""

    applied = "applied"  # 已实施
    not_applicable = "not_applicable"  # 不适用（附理由）
    objection = "objection"  # 认为认定有误，提出异议（附理由）


OUTCOME_ZH: dict[Outcome, str] = {
    Outcome.applied: "已实施",
    Outcome.not_applicable: "不适用（须说明理由）",
    Outcome.objection: "认定有误，提出异议（须说明理由）",
}


class ReportIn(BaseModel):
    """A department's answer to one task."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome = Field(description="applied 已实施；not_applicable 不适用；objection 提出异议")
    note: str = Field("", max_length=NOTE_MAX, description="说明；不适用或提出异议时必填")
    case_ref: str = Field("", max_length=CASE_REF_MAX, description="实施措施的案件或项目编号，如采购项目编号")


class MeasureOut(BaseModel):
    code: str
    name: str
    content: str
    legal_basis: str
    effect: str | None


class EntryOut(BaseModel):
    """The published entry behind a task (公示信息)."""

    id: int
    number: str
    list_kind: str
    list_kind_zh: str
    scope_code: str
    scope_name: str
    scope_legal_basis: str
    doc_kind: str
    doc_kind_zh: str
    doc_no: str
    doc_date: dt.date
    doc_issuer: str
    reason: str
    state: str
    published_at: Instant | None
    period_end: dt.date | None
    subject_name: str
    #: The subject's unified social credit code; None for a natural person (no identifier is shown).
    subject_code: str | None


class TaskOut(BaseModel):
    id: int
    status: TaskStatus
    status_zh: str
    department_code: str
    department_name: str
    created_at: Instant
    due_on: dt.date
    #: The due date was counted on weekends only (the year's holiday schedule is not loaded yet).
    due_provisional: bool
    #: Open and past its due date.
    overdue: bool
    #: The entry is under an open objection: its measures are suspended and the task is not overdue.
    suspended: bool = False
    #: Reported after its due date.
    late: bool
    reported_at: Instant | None
    reported_by: str | None
    note: str | None
    case_ref: str | None
    measure: MeasureOut
    entry: EntryOut


class TaskPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[TaskOut]


class DeptRate(BaseModel):
    """One department's feedback. ``tasks`` are those that needed an answer (a task closed before it was
    answered, because its entry exited, is counted in ``closed`` only); 反馈率 ``rate`` = reported /
    tasks, ``on_time_rate`` = reported on or before the due date / tasks."""

    department_code: str
    department_name: str
    department_kind: str
    region_code: str
    tasks: int
    reported: int
    reported_on_time: int
    open: int
    overdue_open: int
    closed: int
    rate: float | None
    on_time_rate: float | None


class RatesOut(BaseModel):
    today: dt.date
    departments: list[DeptRate]
