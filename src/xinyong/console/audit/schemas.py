"""What the auditor's and the credit office's console routes give: the audit trail, its verification and
the dashboard's figures. Built by ``console.audit.service``; pages and JSON routes show the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, Field


@dataclass(frozen=True)
class TrailFilter:
    """Which audit entries to list; every field left None matches all. Days are China days."""

    entity: str | None = None
    #: One object of that kind (its number or code as the trail writes it).
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    #: Only entries numbered up to this one (to open the trail where a problem was found).
    upto: int | None = None


class AuditEntryOut(BaseModel):
    id: int
    at: str = Field(description="UTC 时间（ISO 8601，按存储原样，参与哈希）")
    at_china: str = Field(description="北京时间，YYYY-MM-DD HH:MM:SS")
    actor: str
    action: str
    entity: str
    entity_id: str | None
    subject_id: int | None
    sealed: bool = Field(description="该条目是否封存了信用记录摘要")
    hash: str


class AuditEntryPage(BaseModel):
    total: int
    entries: list[AuditEntryOut]


class ProblemOut(BaseModel):
    code: str
    message: str
    entry_id: int | None = Field(description="涉及的审计条目（QUERY_LOG_* 为查询使用登记条目）编号")


class VerificationOut(BaseModel):
    """What ``xinyong audit verify`` finds, as the console shows it."""

    ok: bool
    audit_entries: int = Field(description="链上完好的审计条目数（至第一处断链为止）")
    query_entries: int = Field(description="链上完好的查询使用登记条数")
    records: int = Field(description="与封存摘要核对过的信用记录数")
    anchors: int = Field(description="核对过的锚点数")
    broken_at: int | None = Field(description="审计链断开处的条目编号；之后的条目无法证明完好")
    problems: list[ProblemOut]
    more: dict[str, int] = Field(description="同类问题超过列出上限时，另有的条数")
    notes: list[str]


class MonthCount(BaseModel):
    month: str = Field(description="接收月份，YYYY-MM")
    dept_code: str
    dept_name: str
    records: int


class DeptRate(BaseModel):
    dept_code: str
    dept_name: str
    total: int
    part: int = Field(description="按期（及时率）或被拒收（拒收率）的条数")
    rate: float | None


class PurposeCount(BaseModel):
    purpose: str
    allowed: int
    refused: int


class DashboardOut(BaseModel):
    """The credit office's figures for the months ``first_month`` … ``last_month``."""

    first_month: str
    last_month: str
    months: list[str]
    records_by_month: list[MonthCount] = Field(description="按接收月份和提供部门统计的归集记录数")
    on_time: list[DeptRate] = Field(description="有归集时限的事项（含双公示）记录的按期率（各部门）")
    rejected: list[DeptRate] = Field(description="报送行的拒收率（各部门）")
    queries: list[PurposeCount] = Field(description="按查询用途统计的查询量（放行与拒绝）")
    computed_at: str = Field(description="汇总的计算时间；汇总缓存片刻")
