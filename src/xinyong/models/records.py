"""Credit records (信用记录): one fact about one subject from one source, with its history."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Final

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, false, func, text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class RecordStatus(enum.StrEnum):
    active = "active"  # 有效
    revoked = "revoked"  # 已撤销
    repaired = "repaired"  # 已修复
    expired = "expired"  # 公示期满


class Severity(enum.StrEnum):
    """How serious a piece of dishonesty information is (《信用修复管理办法》): the one severity type.

    The catalog's severity rules, the record column and the API all use this class; the stored
    value is the member's name, which equals its value.
    """

    minor = "minor"  # 轻微
    general = "general"  # 一般
    serious = "serious"  # 严重

    @property
    def label_zh(self) -> str:
        """轻微 / 一般 / 严重."""
        return _SEVERITY_LABELS_ZH[self]

    @property
    def rank(self) -> int:
        """1 for 轻微, 2 for 一般, 3 for 严重: compare severities with this."""
        return _SEVERITY_RANK[self]

    @classmethod
    def from_text(cls, text: str) -> Severity:
        """Member for an English value or a Chinese label (e.g. from a spreadsheet); ValueError otherwise."""
        wanted = text.strip()
        for member in cls:
            if wanted in (member.value, member.label_zh):
                return member
        raise ValueError(f"取值不在允许范围内：{wanted}")


_SEVERITY_LABELS_ZH: Final[dict[Severity, str]] = {
    Severity.minor: "轻微",
    Severity.general: "一般",
    Severity.serious: "严重",
}
_SEVERITY_RANK: Final[dict[Severity, int]] = {Severity.minor: 1, Severity.general: 2, Severity.serious: 3}


class CreditRecord(Base):
    """The current version of a record. Earlier versions live in credit_record_versions."""

    __tablename__ = "credit_records"
    __table_args__ = (
        UniqueConstraint("source_dept_id", "source_record_id"),
        Index("ix_credit_records_dept_received", "source_dept_id", "received_on"),
        # A file page: the subject's records newest first with every column the readers' filters test
        # (files.repository.shown_clause), so a tab's count and a page's ids never read the table.
        Index(
            "ix_credit_records_file_page",
            "subject_id",
            "decision_date",
            "id",
            "catalog_item_id",
            "status",
            "published",
            "publish_from",
            "publish_max_end",
            "source_dept_id",
        ),
        # The dashboard: records received per month, department and item, and whether late.
        Index(
            "ix_credit_records_received_dashboard", "received_on", "source_dept_id", "catalog_item_id", "late"
        ),
        # Partial: only the few provisional rows (what a year's schedule recomputes), so the bulk
        # load pays nothing for it; a full index on a boolean that is nearly always false would.
        Index(
            "ix_credit_records_timeliness_provisional",
            "timeliness_provisional",
            postgresql_where=text("timeliness_provisional"),
            sqlite_where=text("timeliness_provisional"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"), index=True)
    catalog_item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    source_dept_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    #: The source department's own id for the record (一数一源 key with source_dept_id).
    source_record_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[RecordStatus] = mapped_column(
        Enum(RecordStatus, native_enum=False, length=20), default=RecordStatus.active
    )
    severity: Mapped[Severity | None] = mapped_column(Enum(Severity, native_enum=False, length=20))
    #: Why the source overrode the catalog's severity (NULL when it did not).
    severity_reason: Mapped[str | None] = mapped_column(String(500))
    decision_no: Mapped[str | None] = mapped_column(String(200))
    decision_date: Mapped[dt.date] = mapped_column(index=True)
    received_on: Mapped[dt.date]
    #: Working days from decision to receipt (kit.workdays), and whether that exceeded the item's limit.
    delay_workdays: Mapped[int | None]
    late: Mapped[bool] = mapped_column(default=False)
    #: Whether delay_workdays/late were counted on weekends only because a year in the span had neither
    #: chinese-calendar data nor a loaded schedule; recomputed when that year's schedule is loaded.
    timeliness_provisional: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Publication window (records.rules owns the rule).
    published: Mapped[bool] = mapped_column(default=False)
    publish_from: Mapped[dt.date | None]
    publish_min_end: Mapped[dt.date | None]
    publish_max_end: Mapped[dt.date | None]
    #: The validated field values, as the catalog item's schema defines them.
    data: Mapped[dict[str, Any]]
    batch_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class CreditRecordVersion(Base):
    """Every version a record ever had: nothing is overwritten.

    Records created by batch intake do not duplicate themselves here: while a record never changed,
    its row in credit_records *is* version 1. The first correction or revocation first copies that
    version 1 here, then adds the new version (records.history.record_history reads both)."""

    __tablename__ = "credit_record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_records.id"), index=True)
    version: Mapped[int]
    change: Mapped[str] = mapped_column(String(20))  # created / corrected / revoked / repaired
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[RecordStatus] = mapped_column(Enum(RecordStatus, native_enum=False, length=20))
    data: Mapped[dict[str, Any]]
    changed_at: Mapped[dt.datetime]
    changed_by: Mapped[str] = mapped_column(String(100))
