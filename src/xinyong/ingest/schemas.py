"""What the collection services return (JSON-serialisable; the ORM never leaves the service layer)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from pydantic import BaseModel, Field

from xinyong.web import Instant

ROW_NUMBERING: Final = (
    "行号：CSV/XLSX 文件为表格中的行号（表头为第 1 行，第一条数据为第 2 行）；"
    "JSON Lines 为文件中的行号；JSON 接口为记录在数组中的序号（从 1 开始）"
)
LEVEL_ZH: Final = {
    "error": "错误（已拒收）",
    "warning": "警告（已入库，请核对）",
    "duplicate": "重复（已忽略）",
}
STATUS_ZH: Final = {
    "receiving": "接收中",
    "processing": "处理中",
    "done": "已完成",
    "failed": "失败（可续传）",
    "duplicate": "重复提交（未重复入库）",
}


class UnknownFieldOut(BaseModel):
    """A column or JSON key that is not a field of the item: its values were neither collected nor
    stored."""

    column: str = Field(description="列名或字段名（按提交时的写法）")
    rows: int | None = Field(description="该列有值的行数（较早的批次未统计时为空）")
    code: str = "FIELD_NOT_IN_CATALOG"
    suggested_field: str | None = Field(description="疑似拼写错误时，可能对应的目录字段名")
    suggested_label: str | None = Field(description="该目录字段的中文名称")
    message: str


class RowIssueOut(BaseModel):
    row_no: int
    field: str | None
    field_label: str | None
    level: str
    code: str
    message: str
    record_id: int | None = None


class BatchSummary(BaseModel):
    batch_id: int
    item_code: str
    dept_code: str
    channel: str
    status: str
    status_label: str
    file_name: str | None
    file_format: str
    received_on: dt.date
    submitted_at: Instant
    submitted_by: str
    finished_at: Instant | None
    rows: int = Field(description="已处理的数据行数（断点）")
    rows_total: int | None
    accepted: int
    rejected: int
    warnings: int
    duplicates: int
    late: int
    duplicate_of_id: int | None
    resubmission_of_id: int | None
    error_code: str | None
    error_message: str | None


class BatchOutcome(BatchSummary):
    late_provisional: int = Field(
        default=0,
        description="超期报送记录中结论为临时的条数：其间有尚未载入节假日安排的年份，载入后重算，可能改为按期",
    )
    file_sha256: str
    ignored_columns: list[str] = Field(description="不是目录字段的列或字段（未归集）")
    unknown_fields: list[UnknownFieldOut] = Field(
        default_factory=list, description="不在目录中的列或字段：逐项给出有值的行数，疑似拼写错误时给出提示"
    )
    row_numbering: str = ROW_NUMBERING
    open_rejected_rows: int
    issues_total: int
    issues: list[RowIssueOut] = Field(description="逐行问题（前若干条；完整报告请下载 errors.csv）")

    def describe(self) -> str:
        """A one-paragraph Chinese summary (CLI, logs)."""
        if self.status == "duplicate":
            return (
                f"批次 {self.batch_id}：该文件已于批次 {self.duplicate_of_id} 提交过，整份文件"
                f"（{self.duplicates} 行）未再处理，也未重复入库；该批次的结果（含被拒收的行）见批次 "
                f"{self.duplicate_of_id}"
            )
        text = (
            f"批次 {self.batch_id}（{STATUS_ZH.get(self.status, self.status)}）：共处理 {self.rows} 行，"
            f"入库 {self.accepted} 条，拒收 {self.rejected} 行，警告 {self.warnings} 条，"
            f"忽略重复 {self.duplicates} 行，超期报送 {self.late} 条"
        )
        if self.late_provisional:
            text += f"（其中 {self.late_provisional} 条为临时结论，待年度节假日安排载入后重算）"
        if self.unknown_fields:
            text += "；" + "；".join(u.message for u in self.unknown_fields)
        elif self.ignored_columns:
            text += f"；以下列不是目录字段，未归集：{'、'.join(self.ignored_columns)}"
        if self.error_message:
            text += f"；错误 {self.error_code}：{self.error_message}"
        return text


class RejectedRowOut(BaseModel):
    row_no: int
    source_record_id: str | None
    values: dict[str, str | None]
    status: str
    fixed_batch_id: int | None
    fixed_record_id: int | None
    issues: list[RowIssueOut]


class DeptTimeliness(BaseModel):
    dept_id: int
    dept_code: str
    dept_name: str
    total: int
    on_time: int
    late: int
    on_time_rate: float | None = Field(description="按期率（0–1），无记录时为空")
    median_delay_workdays: float | None


class TimelinessReport(BaseModel):
    month: str
    rule: str = "双公示：行政许可、行政处罚信息自作出决定之日起 7 个工作日内归集公示；按接收月份统计"
    departments: list[DeptTimeliness]


class LateRecord(BaseModel):
    record_id: int
    item_code: str
    source_record_id: str
    decision_no: str | None
    decision_date: dt.date
    received_on: dt.date
    delay_workdays: int | None
    limit_workdays: int | None
    due_date: dt.date | None = Field(description="报送截止日：决定之日起第 N 个工作日")
    provisional: bool = Field(
        description="临时结论：决定至接收之间有尚未载入节假日安排的年份，载入后重算，可能改为按期"
    )
    batch_id: int | None
