"""Collection (归集): batches, the rows they rejected, and every row-level issue.

A batch is one submission of one catalog item by one department (a file, a JSON call, or the
resubmission of fixed rows). Accepted rows become credit records (``credit_records.batch_id``);
rejected rows are kept here with their raw values so they can be fixed and resubmitted; every error,
warning and ignored duplicate is an ``ingest_row_issues`` row: nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.models.base import Base


class BatchStatus(enum.StrEnum):
    receiving = "receiving"  # 接收中: the batch row exists, no chunk handled yet
    processing = "processing"  # 处理中: some chunks committed (checkpoint in rows_done)
    done = "done"  # 已完成
    failed = "failed"  # 失败: stopped on an error; resumable from its checkpoint
    duplicate = "duplicate"  # 重复提交: the same file was already submitted; nothing stored


class BatchChannel(enum.StrEnum):
    upload = "upload"  # 网页/接口上传文件
    cli = "cli"  # 命令行
    api = "api"  # 部门系统 JSON 接口
    resubmit = "resubmit"  # 更正后重新提交被拒行


class IssueLevel(enum.StrEnum):
    error = "error"  # 错误：该行被拒收
    warning = "warning"  # 警告：该行已入库，请核对
    duplicate = "duplicate"  # 重复：与已入库记录相同，已忽略


class RejectedStatus(enum.StrEnum):
    open = "open"  # 待更正
    fixed = "fixed"  # 已更正入库
    superseded = "superseded"  # 重新提交后仍有错误，见新批次中的被拒行


class IngestBatch(Base):
    __tablename__ = "ingest_batches"
    __table_args__ = (Index("ix_ingest_batches_file", "dept_id", "catalog_item_id", "file_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dept_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    catalog_item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"))
    item_code: Mapped[str] = mapped_column(String(40))
    channel: Mapped[BatchChannel] = mapped_column(Enum(BatchChannel, native_enum=False, length=20))
    status: Mapped[BatchStatus] = mapped_column(Enum(BatchStatus, native_enum=False, length=20))
    file_name: Mapped[str | None] = mapped_column(String(300))
    file_format: Mapped[str] = mapped_column(String(10))
    #: sha256 of the submitted bytes (file) or of the canonical JSON (API): same content, same digest.
    file_sha256: Mapped[str] = mapped_column(String(64))
    #: Where the submitted file is kept (under the data directory, by digest) so a batch can resume.
    stored_path: Mapped[str | None] = mapped_column(String(500))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    resubmission_of_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    received_on: Mapped[dt.date]
    submitted_at: Mapped[dt.datetime]
    submitted_by: Mapped[str] = mapped_column(String(100))
    finished_at: Mapped[dt.datetime | None]
    #: Checkpoint: data rows handled so far (committed with the chunk that handled them).
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int | None]
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    late: Mapped[int] = mapped_column(default=0)
    #: Columns or keys of the submission that are not fields of the catalog item (not collected), each as
    #: ``{"column": as written, masked, "rows": rows holding a value, "field": a suggested field or null}``
    #: (a plain string in batches stored before rows were counted; see ingest.unknown_fields.from_json).
    ignored_columns: Mapped[list[Any]]
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(String(1000))


class RejectedRow(Base):
    """A row that was not accepted, with its values as submitted (citizen IDs encrypted)."""

    __tablename__ = "ingest_rejected_rows"
    __table_args__ = (UniqueConstraint("batch_id", "row_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"))
    row_no: Mapped[int]
    source_record_id: Mapped[str | None] = mapped_column(String(100))
    raw: Mapped[dict[str, Any]]
    status: Mapped[RejectedStatus] = mapped_column(
        Enum(RejectedStatus, native_enum=False, length=20), default=RejectedStatus.open
    )
    #: The batch that resubmitted the fixed row, and the record it became (when accepted).
    fixed_batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    fixed_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"))


class RowIssue(Base):
    """One finding about one row: an error (row rejected), a warning, or an ignored duplicate."""

    __tablename__ = "ingest_row_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    row_no: Mapped[int]
    level: Mapped[IssueLevel] = mapped_column(Enum(IssueLevel, native_enum=False, length=20))
    field: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(String(1000))
    record_id: Mapped[int | None]
