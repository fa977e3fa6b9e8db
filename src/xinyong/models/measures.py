"""联合奖惩: stored screenings (single and batch) and the feedback tasks of implementing units."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class Decision(enum.StrEnum):
    """A screening's answer, weakest first (measures.rules orders them)."""

    passed = "pass"  # 通过
    incentive = "incentive"  # 激励
    warn = "warn"  # 提示
    restrict = "restrict"  # 限制
    prohibit = "prohibit"  # 禁止


class Screening(Base):
    """One check of one subject in one scenario (自动比对), kept as it was answered, with its proof."""

    __tablename__ = "screenings"
    __table_args__ = (Index("ix_screenings_subject_at", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Shown to people, e.g. ``SC-20261201-000042``.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    #: Verification code (audit.proofs): a keyed MAC of the stored content; changes to it are caught.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    scenario: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(12))
    #: The request as received (personal identifiers masked) and the whole answer.
    request: Mapped[dict[str, Any]]
    result: Mapped[dict[str, Any]]
    #: What the check ran against: catalog version of the measures and the audit sequence of the data.
    data_version: Mapped[dict[str, Any]]
    #: Set when the check belongs to a batch (自动比对).
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("screening_batches.id"), index=True)


class BatchState(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ScreeningBatch(Base):
    """A file or list of subjects screened in one scenario; the result is a stored file."""

    __tablename__ = "screening_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[BatchState] = mapped_column(Enum(BatchState, native_enum=False, length=10))
    created_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    scenario: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str | None] = mapped_column(String(300))
    total: Mapped[int]
    done: Mapped[int]
    #: Counts per decision, and subjects not found.
    summary: Mapped[dict[str, Any]]
    data_version: Mapped[dict[str, Any]]
    #: Where the result file lives (under the data directory) and its sha256.
    result_path: Mapped[str | None] = mapped_column(String(500))
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)


class TaskStatus(enum.StrEnum):
    open = "open"  # 待反馈
    applied = "applied"  # 已实施
    not_applicable = "not_applicable"  # 不适用（附理由）
    objection = "objection"  # 提出异议
    closed = "closed"  # 依据已终止（名单移出、修复、撤销），无需反馈


class FeedbackTask(Base):
    """触发—响应—反馈: a measure an implementing department must apply to a published entry, and what it
    reported back."""

    __tablename__ = "feedback_tasks"
    __table_args__ = (Index("ix_feedback_tasks_dept_status", "department_id", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"), index=True)
    measure_code: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[TaskStatus] = mapped_column(Enum(TaskStatus, native_enum=False, length=16))
    created_at: Mapped[dt.datetime]
    due_on: Mapped[dt.date]
    #: Whether due_on was counted on weekends only (a year without a loaded schedule).
    due_provisional: Mapped[bool] = mapped_column(default=False)
    reported_at: Mapped[dt.datetime | None]
    reported_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    #: The case the measure was applied in (e.g. the procurement project number).
    case_ref: Mapped[str | None] = mapped_column(String(200))
