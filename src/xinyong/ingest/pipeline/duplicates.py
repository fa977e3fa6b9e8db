"""Duplicates in a chunk (一数一源): a department's source record id names one record.

- the same id twice in one chunk: identical values -> the later row is a duplicate, ignored; different
  values -> ``RECORD_DUPLICATE_IN_FILE``;
- an id already stored for the department: identical values -> a duplicate, ignored; different values ->
  rejected with ``RECORD_DUPLICATE_KEY_CHANGED`` (a change is made with an explicit correction, never by
  silently overwriting).
"""

from __future__ import annotations

from typing import Any, Final

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.db import in_values
from xinyong.ingest.pipeline.run import Run
from xinyong.ingest.validation import ROW, Issue, json_ready
from xinyong.kit import ids
from xinyong.kit.crypto import unseal_values
from xinyong.models import CreditRecord
from xinyong.records.assess import SEVERITY_OVERRIDE_COLUMN

DUPLICATE_IGNORED: Final = "INGEST_DUPLICATE_IGNORED"
DUPLICATE_IN_FILE: Final = "RECORD_DUPLICATE_IN_FILE"
DUPLICATE_KEY_CHANGED: Final = "RECORD_DUPLICATE_KEY_CHANGED"


def _comparable(values: dict[str, Any], run: Run, stored: bool) -> dict[str, Any]:
    """Values as they can be compared with what is stored (sealed values decrypted, the subject's
    citizen ID masked as it is stored)."""
    out = {k: v for k, v in values.items() if v is not None}
    if stored:
        out = unseal_values(out, run.cipher)
    subject_field = run.ctx.spec.field("subject_id")
    sid = out.get("subject_id")
    if not stored and subject_field is not None and isinstance(sid, str) and ids.check_ric(sid).valid:
        out["subject_id"] = ids.mask_ric(sid)
    return out


def duplicates(
    session: Session, run: Run, frame: pl.DataFrame
) -> tuple[pl.DataFrame, list[Issue], dict[int, int | None]]:
    """Drop rows already stored (identical) or repeated; reject changed rows under a known key."""
    issues: list[Issue] = []
    dup_rows: dict[int, int | None] = {}  # row -> record id it duplicates (None: earlier row in chunk)
    if frame.height == 0:
        return frame, issues, dup_rows
    names = [f.name for f in run.ctx.spec.fields] + [SEVERITY_OVERRIDE_COLUMN]
    frame = frame.with_columns(pl.struct([c for c in names if c in frame.columns]).hash().alias("__h"))
    firsts = frame.select(
        pl.col("source_record_id").is_first_distinct().alias("first"),
        pl.col("__h").first().over("source_record_id").alias("h0"),
    )
    repeat = frame.with_columns(firsts).filter(~pl.col("first"))
    drop: set[int] = set()
    key_label = run.ctx.label("source_record_id")
    for row_no, key, h, h0 in repeat.select(ROW, "source_record_id", "__h", "h0").iter_rows():
        drop.add(row_no)
        if h == h0:
            dup_rows[row_no] = None
            issues.append(
                Issue(
                    row_no,
                    "source_record_id",
                    DUPLICATE_IGNORED,
                    f"与本批次中「{key_label}」“{key}”的前一行完全相同，已忽略",
                    level="duplicate",
                )
            )
        else:
            issues.append(
                Issue(
                    row_no,
                    "source_record_id",
                    DUPLICATE_IN_FILE,
                    f"「{key_label}」“{key}”在本批次中重复出现且内容不同：同一数据标识只能对应一条记录",
                )
            )
    frame = frame.filter(~pl.col(ROW).is_in(list(drop)))
    keys = frame["source_record_id"].to_list()
    existing: dict[str, tuple[int, int | None, dict[str, Any]]] = {}
    for condition in in_values(session, CreditRecord.source_record_id, keys):
        for rid, key, batch_id, data in session.execute(
            select(
                CreditRecord.id, CreditRecord.source_record_id, CreditRecord.batch_id, CreditRecord.data
            ).where(CreditRecord.source_dept_id == run.dept_id, condition)
        ):
            existing[key] = (rid, batch_id, data)
    if existing:
        hit = frame.filter(pl.col("source_record_id").is_in(list(existing)))
        field_names = [f.name for f in run.ctx.spec.fields]
        for row_no, values in zip(hit[ROW].to_list(), json_ready(hit, field_names), strict=True):
            rid, batch_id, data = existing[values["source_record_id"]]
            drop.add(row_no)
            if _comparable(values, run, False) == _comparable(data, run, True):
                dup_rows[row_no] = rid
                issues.append(
                    Issue(
                        row_no,
                        "source_record_id",
                        DUPLICATE_IGNORED,
                        f"与已入库的信用记录（编号 {rid}）完全相同，已忽略",
                        level="duplicate",
                        record_id=rid,
                    )
                )
            elif batch_id == run.batch_id:
                issues.append(
                    Issue(
                        row_no,
                        "source_record_id",
                        DUPLICATE_IN_FILE,
                        f"「{key_label}」“{values['source_record_id']}”在本批次中重复出现且内容不同：同一数据标识只能对应一条记录",
                    )
                )
            else:
                issues.append(
                    Issue(
                        row_no,
                        "source_record_id",
                        DUPLICATE_KEY_CHANGED,
                        f"「{key_label}」“{values['source_record_id']}”已有信用记录（编号 {rid}）且内容不同："
                        "如需修改请使用“更正”功能，不能重复报送覆盖",
                        record_id=rid,
                    )
                )
        frame = frame.filter(~pl.col(ROW).is_in(list(drop)))
    return frame.drop("__h"), issues, dup_rows
