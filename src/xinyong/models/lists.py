"""The four lists (四张清单) as stored catalog data, red and black list entries with their lifecycle, and
objections (异议) against a record or an entry.

Scope items and measures belong to a catalog version, like catalog items: a list entry names the scope
item it was proposed under, and a screening names the catalog version whose measures it applied.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class ListKind(enum.StrEnum):
    red = "red"  # 红名单（诚信典型）
    black = "black"  # 黑名单（严重失信主体名单）


class MeasureKind(enum.StrEnum):
    incentive = "incentive"  # 守信激励
    punishment = "punishment"  # 失信惩戒


class ListScopeRow(Base):
    """One item of a scope list (诚信典型范围清单 / 严重失信行为及主体范围清单) of a catalog version."""

    __tablename__ = "list_scopes"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    list_kind: Mapped[ListKind] = mapped_column(Enum(ListKind, native_enum=False, length=10))
    name: Mapped[str] = mapped_column(String(200))
    #: The whole scope item as validated by catalog.lists.ListScope.
    spec: Mapped[dict[str, Any]]


class MeasureRow(Base):
    """One measure of a measure list (守信激励 / 失信惩戒措施清单) of a catalog version."""

    __tablename__ = "list_measures"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[MeasureKind] = mapped_column(Enum(MeasureKind, native_enum=False, length=12))
    name: Mapped[str] = mapped_column(String(200))
    #: The whole measure as validated by catalog.lists.Measure.
    spec: Mapped[dict[str, Any]]


class EntryState(enum.StrEnum):
    """The lifecycle of a list entry (lists.lifecycle owns the transitions)."""

    proposed = "proposed"  # 已提出
    notified = "notified"  # 已告知
    decided = "decided"  # 已认定
    published = "published"  # 已公示（发布）
    exited = "exited"  # 已移出


class ExitCause(enum.StrEnum):
    period_over = "period_over"  # 期满移出
    repaired = "repaired"  # 信用修复
    revoked = "revoked"  # 撤销（认定错误、异议成立）
    overturned = "overturned"  # 认定决定被复议、诉讼撤销
    withdrawn = "withdrawn"  # 认定前撤回（未认定即终止）


class ListEntry(Base):
    """A subject on the red or black list, with the legal document and the decision behind it."""

    __tablename__ = "list_entries"
    __table_args__ = (
        Index("ix_list_entries_subject_state", "subject_id", "state"),
        Index("ix_list_entries_public", "list_kind", "state", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The entry's number shown to people, e.g. ``HMD-2026-000012`` (黑名单) / ``HONGMD-…``.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    list_kind: Mapped[ListKind] = mapped_column(Enum(ListKind, native_enum=False, length=10))
    #: The scope item (list_scopes) of the catalog version current when it was proposed.
    scope_id: Mapped[int] = mapped_column(ForeignKey("list_scopes.id"), index=True)
    scope_code: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    initiating_dept_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    state: Mapped[EntryState] = mapped_column(Enum(EntryState, native_enum=False, length=12))
    #: The legal document the listing rests on (法律文书): kind, number, date, issuing body.
    doc_kind: Mapped[str] = mapped_column(String(40))
    doc_no: Mapped[str] = mapped_column(String(200))
    doc_date: Mapped[dt.date]
    doc_issuer: Mapped[str] = mapped_column(String(200))
    #: 实施事由: the conduct, in the initiating department's words.
    reason: Mapped[str] = mapped_column(Text)
    #: Leniency facts (seed 004 §三(一)2): minor subject, force majeure, minor unintentional conduct.
    #: Any of them on a black-list entry needs review_note before it can be decided.
    leniency: Mapped[list[str]]
    review_note: Mapped[str | None] = mapped_column(Text)
    #: The notice to the subject (reason, basis, rights, deadline to object) and that deadline.
    notice: Mapped[dict[str, Any] | None]
    objection_due: Mapped[dt.date | None]
    #: When the subject stated in writing that it will not make representations or object (放弃陈述、申辩
    #: 和异议): the decision may then be made before objection_due.
    objection_waived_at: Mapped[dt.datetime | None]
    #: The decision (认定决定书): reason, basis, measures, exit conditions and procedure, remedies.
    decision: Mapped[dict[str, Any] | None]
    #: The listing period: the entry stops triggering measures after period_end (inclusive).
    period_start: Mapped[dt.date | None]
    period_end: Mapped[dt.date | None]
    exit_cause: Mapped[ExitCause | None] = mapped_column(Enum(ExitCause, native_enum=False, length=20))
    exit_note: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[dt.datetime]
    notified_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    exited_at: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class ListEntryEvent(Base):
    """Every transition an entry made: nothing is overwritten (the audit trail holds the same, chained)."""

    __tablename__ = "list_entry_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class ObjectionTarget(enum.StrEnum):
    record = "record"  # 信用记录
    entry = "entry"  # 名单认定


class ObjectionStatus(enum.StrEnum):
    open = "open"  # 处理中：以其为依据的措施中止
    upheld = "upheld"  # 异议成立
    rejected = "rejected"  # 异议不成立


class Objection(Base):
    """An objection (异议) against a credit record or a list entry. While it is open, every measure based
    on its target is suspended (seed 003 §二(三)2)."""

    __tablename__ = "objections"
    __table_args__ = (Index("ix_objections_target", "target_kind", "target_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[ObjectionTarget] = mapped_column(Enum(ObjectionTarget, native_enum=False, length=10))
    target_id: Mapped[int]
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    #: The department that answers it (谁决定、谁负责).
    dept_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    status: Mapped[ObjectionStatus] = mapped_column(Enum(ObjectionStatus, native_enum=False, length=10))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime]
    filed_by: Mapped[str] = mapped_column(String(100))
    answer: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
