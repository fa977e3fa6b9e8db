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
from sqlalchemy.orm import Session

from xinyong.ingest.pipeline.run import Run
from xinyong.ingest.validation import ROW, Issue, json_ready
from xinyong.kit import ids
from xinyong.kit.crypto import unseal_values
from xinyong.records import repository as records
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


def _in_chunk(
    run: Run, frame: pl.DataFrame, issues: list[Issue], dup_rows: dict[int, int | None]
) -> pl.DataFrame:
    """Later rows repeating an earlier row's key: identical -> ignored, different -> rejected."""
    firsts = frame.select(
        pl.col("source_record_id").is_first_distinct().alias("first"),
        pl.col("__h").first().over("source_record_id").alias("h0"),
    )
    repeat = frame.with_columns(firsts).filter(~pl.col("first"))
    key_label = run.ctx.label("source_record_id")
    for row_no, key, h, h0 in repeat.select(ROW, "source_record_id", "__h", "h0").iter_rows():
        if h == h0:
            dup_rows[row_no] = None
            message = f"与本批次中「{key_label}」“{key}”的前一行完全相同，已忽略"
            issues.append(Issue(row_no, "source_record_id", DUPLICATE_IGNORED, message, level="duplicate"))
        else:
            message = f"「{key_label}」“{key}”在本批次中重复出现且内容不同：同一数据标识只能对应一条记录"
            issues.append(Issue(row_no, "source_record_id", DUPLICATE_IN_FILE, message))
    return frame.filter(~pl.col(ROW).is_in(repeat[ROW].to_list()))


def _against_stored(
    session: Session, run: Run, frame: pl.DataFrame, issues: list[Issue], dup_rows: dict[int, int | None]
) -> pl.DataFrame:
    """Rows whose key the department already stored: identical -> ignored, different -> rejected."""
    existing = records.stored_by_source_keys(session, run.dept_id, frame["source_record_id"].to_list())
    if not existing:
        return frame
    hit = frame.filter(pl.col("source_record_id").is_in(list(existing)))
    key_label = run.ctx.label("source_record_id")
    field_names = [f.name for f in run.ctx.spec.fields]
    for row_no, values in zip(hit[ROW].to_list(), json_ready(hit, field_names), strict=True):
        key = values["source_record_id"]
        rid, batch_id, data = existing[key]
        if _comparable(values, run, False) == _comparable(data, run, True):
            dup_rows[row_no] = rid
            message = f"与已入库的信用记录（编号 {rid}）完全相同，已忽略"
            issues.append(
                Issue(
                    row_no, "source_record_id", DUPLICATE_IGNORED, message, level="duplicate", record_id=rid
                )
            )
        elif batch_id == run.batch_id:
            message = f"「{key_label}」“{key}”在本批次中重复出现且内容不同：同一数据标识只能对应一条记录"
            issues.append(Issue(row_no, "source_record_id", DUPLICATE_IN_FILE, message))
        else:
            message = (
                f"「{key_label}」“{key}”已有信用记录（编号 {rid}）且内容不同："
                "如需修改请使用“更正”功能，不能重复报送覆盖"
            )
            issues.append(Issue(row_no, "source_record_id", DUPLICATE_KEY_CHANGED, message, record_id=rid))
    return frame.filter(~pl.col(ROW).is_in(hit[ROW].to_list()))


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
    frame = _in_chunk(run, frame, issues, dup_rows)
    frame = _against_stored(session, run, frame, issues, dup_rows)
    return frame.drop("__h"), issues, dup_rows
